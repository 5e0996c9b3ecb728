"""Domain records to the plain dicts the API dumps through its schemas."""
