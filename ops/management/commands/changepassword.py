"""`changepassword` on the administrative alias by default.

Row-level security shows the application role no user without a request's
context, so Django's own command would answer "user does not exist" for every
user. This one defaults `--database` to the administrative alias and, when
ADMIN_DATABASE_URL is not set, stops with one line saying so.
"""

from django.contrib.auth.management.commands import changepassword

from ops.admin_alias import AdminAliasCommand


class Command(AdminAliasCommand, changepassword.Command):
    purpose = "changepassword"
