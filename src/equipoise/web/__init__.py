"""Server-rendered pages: the public trial page, login, subjects, forms and worklists."""
