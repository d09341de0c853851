"""The schema spec's demo data: one verified user and five tasks."""

DEMO_EMAIL = "test@example.com"
DEMO_NAME = "Test User"
DEMO_PASSWORD = "demo-password-123"  # noqa: S105 (published demo account)

# (title, description, completed), as the spec lists them.
DEMO_TASKS = [
    ("Buy groceries", "Milk, eggs, bread", False),
    ("Finish homework", None, False),
    ("Call dentist", "Schedule cleaning", False),
    ("Read book", "Chapter 5-7", True),
    ("Exercise", "30 min cardio", True),
]
