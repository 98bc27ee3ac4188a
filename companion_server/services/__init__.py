"""Server logic behind the routes, free of HTTP details so it reads (and tests) on its own."""
