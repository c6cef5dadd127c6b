"""Staff side of 女职工权益助手 (port 8000): the officer API now, the staff console later."""
