"""What analysts use: the SQL console and the warehouse documentation."""
