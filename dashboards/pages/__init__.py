"""One module per dashboard page (loaded by Dash pages)."""
