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


def database_name():
    """The database is named after the data package ("bolivian-trotskyism" -> bolivian_trotskyism.db).
    A package that cannot be read gives a stand-in name: the build then refuses it, naming the file."""
    try:
        return json.loads(PACKAGE.read_text(encoding="utf-8"))["name"].replace("-", "_")
    except (OSError, ValueError, LookupError, TypeError, AttributeError):
        return "dataset"


DATABASE = database_name()
DATABASE_FILE = f"{DATABASE}.db"
