"""`createsuperuser` on the administrative alias by default.

Only the administrative role may grant staff or superuser status (a trigger
refuses it to the application role, tasks/migrations/0003), so Django's own
command run as-is ends in a traceback from that trigger. This one defaults
`--database` to the administrative alias and, when ADMIN_DATABASE_URL is not
set or another alias is asked for, stops with one line saying what to do.
"""

from django.contrib.auth.management.commands import createsuperuser

from ops.admin_alias import AdminAliasCommand


class Command(AdminAliasCommand, createsuperuser.Command):
    purpose = "createsuperuser"
