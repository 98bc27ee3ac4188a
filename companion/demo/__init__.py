"""`companion demo`: a local server, a seeded Dutch story and both apps in web mode."""
