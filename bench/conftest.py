# The benchmarks reuse the project's fixtures (the root conftest.py): a fresh
# database created by the administrative role, queries as the application role.
