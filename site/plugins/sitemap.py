"""The pages of sitemap.xml (served by datasette-sitemap): the home page and the reading page of every row
of every table with a schema.org type (data/datapackage.json `schemaOrgType`, see json_ld.py).
robots.txt (datasette-block-robots, configured in site/metadata.yml) points crawlers to it."""
from datasette import hookimpl
from datasette.utils import tilde_encode


def reading_page_paths(table_path, ids):
    return [f"{table_path}/{tilde_encode(str(key))}" for key in ids]


@hookimpl
def sitemap_extra_paths(datasette):
    config = datasette.plugin_config("schema-org")
    if not config:
        return []

    async def paths():
        database = next(name for name in datasette.databases if name != "_internal")
        db = datasette.get_database(database)
        found = ["/"]
        for table in config["types"]:
            ids = [row[0] for row in await db.execute(f"select id from [{table}] order by id")]
            found += reading_page_paths(datasette.urls.table(database, table), ids)
        return found

    return paths
