"""The app's screens; each calls the Academy or a training session, never the store."""
