"""Where things are: what people edit, and the one folder the build writes and Datasette serves."""
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
PACKAGE = DATA / "datapackage.json"
QUERIES = ROOT / "queries"
VIEWS = ROOT / "views"
SITE = ROOT / "site"
SITE_METADATA = SITE / "metadata.yml"
SETTINGS = SITE / "settings.json"
PLUGINS = SITE / "plugins"
TEMPLATES = SITE / "templates"
STATIC = SITE / "static"  # served at /site/
BUILD = ROOT / "build"

# The database is named after the data package ("bolivian-trotskyism" -> bolivian_trotskyism.db).
DATABASE = json.loads(PACKAGE.read_text(encoding="utf-8"))["name"].replace("-", "_")
DATABASE_FILE = f"{DATABASE}.db"
