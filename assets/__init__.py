"""Package data: stylesheets and the demo workspace template."""
