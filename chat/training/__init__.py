"""Training data and evaluations of the chat layer (routing examples, edit checks); the app never imports them."""
