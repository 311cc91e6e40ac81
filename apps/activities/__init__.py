"""Activities: sign-up, QR check-in at the door, attendance, person-times served."""
