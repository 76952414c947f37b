"""Databases: connection URIs and connection strings with passwords, and database platforms' tokens.

PlanetScale and MongoDB Atlas tokens; PostgreSQL, MySQL/MariaDB, MongoDB, Redis/Valkey, AMQP (RabbitMQ) and
other database URIs; JDBC URLs; ODBC and ADO.NET connection strings. Token formats come first (a PlanetScale
password in a MySQL URI is reported as such), then the scheme-specific URI rules; the last rule,
``url-credentials``, is the fallback for a password in any other URL. Placeholders (``${DB_PASSWORD}``,
``<password>``, ``****``), documented defaults (``postgres``, ``guest``, ``foobared``) and a password that
repeats the user name are left out by :mod:`cdev_tui.security.filters`.
"""

from __future__ import annotations

from cdev_tui.security.rules.base import EDGE_LEFT, Rule, rule

_SCHEME_EDGE = r"(?<![A-Za-z0-9+.-])"
"""Left edge of a URI scheme: ``jdbc:postgresql://`` has one, ``xpostgres://`` not."""
_USER = r"[^\s:/?#@\"'`<>\[\]{}|\\^]{0,128}"
"""The user name of a URI's userinfo, possibly empty (``redis://:password@host``)."""
_PASSWORD = r"([^\s/?#\"'`<>\[\]{}|\\^]{6,256})"
"""The password of a URI's userinfo (group 1): it may hold an unencoded ``@`` or ``:`` (the last ``@`` before
the host ends it), never a path, query or template character."""
_HOST = r"@[A-Za-z0-9_\[%/-]"
"""The ``@`` that ends the userinfo and the first character of the host."""
_STRING_VALUE = r"([^;{}\s\"'`<>]{6,256})"
"""A connection-string value (group 1)."""
_STRING_END = r"(?=[;\"'`\s<]|$)"
"""What ends a connection-string value: the ``;`` before the next pair, a quote, a space or the line end."""
_ODBC_BRACE = (
    r"(?:\{(?!(?-i:[a-z_]{1,64}(?:\.[a-z_]{1,64}){0,4}(?:![rsa])?(?::[^{}\r\n]{0,32})?|[0-9]{0,3})\}))?"
)
"""ODBC's ``{...}`` around a value, but not a format field (``{db_pass}``, ``{0}``, ``{pw!r}``, ``{pw:>8}``)
that code fills in: a value of lower-case words in braces is taken for one."""
_STRING_PAIRS = r";(?:[^;\r\n\"'`]{0,256};){0,16}?[ \t]*"
"""The ``;``-separated pairs of a connection string between its first key and the password."""


def _uri(schemes: str) -> str:
    """A regex for the password (group 1) in a URI whose scheme matches ``schemes`` (any case), a driver
    suffix allowed (``postgresql+psycopg://``, ``mongodb+srv://``, ``neo4j+s://``)."""
    return (
        _SCHEME_EDGE + r"(?i:(?:" + schemes + r")(?:\+[a-z0-9_]{1,20})?)://" + _USER + ":" + _PASSWORD + _HOST
    )


RULES: tuple[Rule, ...] = (
    rule(
        "planetscale-password",
        "PlanetScale database password",
        "high",
        ("pscale_pw_",),
        EDGE_LEFT + r"(pscale_pw_[A-Za-z0-9_=.-]{31,63}[A-Za-z0-9_=-])(?![A-Za-z0-9_=.-])",
        min_entropy=3.5,
        examples=(
            "DATABASE_PASSWORD=pscale_pw_{b64url:43}",
            "password: 'pscale_pw_{b64url:43}'",
            "DATABASE_URL=mysql://{lowernum:12}:pscale_pw_{b64url:43}@aws.connect.psdb.cloud/app?sslaccept=strict",
        ),
        counter_examples=(
            "DATABASE_PASSWORD=pscale_pw_{=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
            "DATABASE_PASSWORD=pscale_pw_{b64url:12}",
        ),
        help="A PlanetScale branch password: it connects to the database branch with the password's role. "
        "Delete it under the database's Settings > Passwords (or pscale password delete) and create a new one.",
    ),
    rule(
        "planetscale-api-token",
        "PlanetScale service token or OAuth token",
        "high",
        ("pscale_tkn_", "pscale_oauth_"),
        EDGE_LEFT + r"(pscale_(?:tkn|oauth)_[A-Za-z0-9_=.-]{31,63}[A-Za-z0-9_=-])(?![A-Za-z0-9_=.-])",
        min_entropy=3.5,
        examples=(
            "PLANETSCALE_SERVICE_TOKEN=pscale_tkn_{b64url:43}",
            'headers = {{"Authorization": "{lowernum:12}:pscale_tkn_{b64url:43}"}}',
            "token: pscale_oauth_{b64url:43}",
        ),
        counter_examples=(
            "PLANETSCALE_SERVICE_TOKEN=pscale_tkn_...",
            "PLANETSCALE_SERVICE_TOKEN=pscale_tkn_{b64url:16}",
        ),
        help="A PlanetScale service token (pscale_tkn_) or OAuth token (pscale_oauth_): it calls the "
        "PlanetScale API with the access granted to it (branches, deploy requests, passwords). Delete the "
        "service token in the organisation's Settings > Service tokens, or revoke the OAuth application's grant.",
    ),
    rule(
        "mongodb-atlas-service-account-secret",
        "MongoDB Atlas service account client secret",
        "high",
        ("mdb_sa_sk_",),
        EDGE_LEFT + r"(mdb_sa_sk_[A-Za-z0-9_-]{36,64})(?![A-Za-z0-9_-])",
        min_entropy=3.5,
        examples=(
            "ATLAS_CLIENT_SECRET=mdb_sa_sk_{b64url:40}",
            '{{"clientId": "mdb_sa_id_{hex:24}", "clientSecret": "mdb_sa_sk_{alnum:40}"}}',
        ),
        counter_examples=(
            "ATLAS_CLIENT_SECRET=mdb_sa_sk_...",
            "ATLAS_CLIENT_ID=mdb_sa_id_{hex:24}",
            "ATLAS_CLIENT_SECRET=mdb_sa_sk_{alnum:12}",
        ),
        help="A MongoDB Atlas service account secret: with its client ID it gets Admin API access tokens with "
        "the service account's organisation and project roles. Delete the secret under Organization Access "
        "Manager > Applications > Service Accounts in Atlas and create a new one.",
    ),
    rule(
        "postgres-connection-uri",
        "PostgreSQL connection URI with a password",
        "high",
        ("postgres", "pgsql"),
        _uri(r"postgres(?:ql)?|pgsql"),
        min_entropy=2.0,
        examples=(
            "DATABASE_URL=postgres://u{lowernum:13}:{hex:64}@ec2-{digits:2}-{digits:3}-{digits:2}-{digits:3}"
            ".compute-1.amazonaws.com:5432/d{lowernum:13}",
            'engine = create_engine("postgresql+psycopg://app:{alnum:20}@db.{lower:6}.internal:5432/orders")',
            "psql 'postgresql://postgres.{lower:20}:{alnum:16}@aws-0-eu-central-1.pooler.supabase.com:6543/postgres'",
        ),
        counter_examples=(
            "DATABASE_URL=postgres://postgres:postgres@localhost:5432/app",
            "DATABASE_URL=postgresql://app:${{DB_PASSWORD}}@db:5432/app",
            "DATABASE_URL=postgresql://<user>:<password>@<host>:5432/<db>",
            'url = "postgresql://scott:tiger@localhost/test"',
            "DATABASE_URL=postgres://app:app@localhost/app",
        ),
        help="A PostgreSQL connection URI holding a role's password: it logs in to the database as that role. "
        "Change the password (ALTER ROLE ... PASSWORD, or reset it in the provider's console: RDS, Heroku, "
        "Supabase, Neon) and read the URI from the environment or a secret store.",
    ),
    rule(
        "mysql-connection-uri",
        "MySQL or MariaDB connection URI with a password",
        "high",
        ("mysql", "mariadb"),
        _uri(r"mysql[x2]?|mariadb"),
        min_entropy=2.0,
        examples=(
            'SQLALCHEMY_DATABASE_URI = "mysql+pymysql://shop:{alnum:18}@db.{lower:6}.internal:3306/shop"',
            "DATABASE_URL=mysql://{lowernum:12}:{alnum:24}@aws.connect.psdb.cloud/app?sslaccept=strict",
            "url: mariadb://backup:{alnum:16}@10.0.3.{digits:2}:3306/inventory",
        ),
        counter_examples=(
            "DATABASE_URL=mysql://root:root@127.0.0.1:3306/app",
            "DATABASE_URL=mysql://user:pass@localhost/app",
            'url = "mysql://root:my-secret-pw@localhost:3306/db"',
            "DATABASE_URL=mysql://app@localhost/app",
        ),
        help="A MySQL or MariaDB connection URI holding a user's password: it logs in to the database as that "
        "user. Change the password (ALTER USER ... IDENTIFIED BY, or the provider's console; for PlanetScale "
        "delete the branch password) and read the URI from the environment or a secret store.",
    ),
    rule(
        "mongodb-connection-uri",
        "MongoDB connection URI with a password",
        "high",
        ("mongodb",),
        _uri(r"mongodb"),
        min_entropy=2.0,
        examples=(
            "MONGODB_URI=mongodb+srv://app:{alnum:16}@cluster0.{lowernum:5}.mongodb.net/"
            "?retryWrites=true&w=majority",
            'client = MongoClient("mongodb://admin:{alnum:20}@mongo-0.{lower:5}.internal:27017,'
            'mongo-1.{lower:5}.internal:27017/?replicaSet=rs0&authSource=admin")',
        ),
        counter_examples=(
            "MONGODB_URI=mongodb+srv://<username>:<password>@cluster0.{lowernum:5}.mongodb.net/",
            "MONGODB_URI=mongodb://localhost:27017/app",
            "MONGODB_URI=mongodb://myUser:myPassword@localhost:27017/app",
        ),
        help="A MongoDB connection URI holding a database user's password: it reads and writes whatever the "
        "user's roles allow. Change the password (db.changeUserPassword, or Database Access in MongoDB Atlas) "
        "and read the URI from the environment or a secret store.",
    ),
    rule(
        "redis-connection-uri",
        "Redis or Valkey connection URI with a password",
        "high",
        ("redis", "valkey"),
        _uri(r"rediss?|valkeys?"),
        min_entropy=2.0,
        examples=(
            "REDIS_URL=rediss://default:{alnum:32}@{lower:8}-{digits:5}.upstash.io:6379",
            'CELERY_BROKER_URL = "redis://:{alnum:24}@cache.{lower:6}.internal:6379/0"',
        ),
        counter_examples=(
            "REDIS_URL=redis://localhost:6379/0",
            "REDIS_URL=redis://:foobared@127.0.0.1:6379",
            "REDIS_URL=redis://:${{REDIS_PASSWORD}}@cache:6379/0",
        ),
        help="A Redis or Valkey connection URI holding the password (requirepass or an ACL user's): it reads, "
        "writes and flushes the data. Change it (ACL SETUSER, CONFIG SET requirepass, or reset it in the "
        "provider's console: ElastiCache, Upstash, Redis Cloud) and read the URI from a secret store.",
    ),
    rule(
        "amqp-connection-uri",
        "AMQP (RabbitMQ) connection URI with a password",
        "high",
        ("amqp", "librabbitmq"),
        _uri(r"amqps?|pyamqp|librabbitmq"),
        min_entropy=2.0,
        examples=(
            "CLOUDAMQP_URL=amqps://{lower:8}:{b64url:32}@rattlesnake.rmq.cloudamqp.com/{lower:8}",
            'broker_url = "pyamqp://orders:{alnum:20}@rabbit.{lower:6}.internal:5672/prod"',
        ),
        counter_examples=(
            "BROKER_URL=amqp://guest:guest@localhost:5672//",
            "BROKER_URL=amqp://rabbit:${{RABBITMQ_PASSWORD}}@rabbit:5672/",
        ),
        help="An AMQP connection URI holding a broker user's password: it publishes and consumes on the "
        "virtual host with that user's permissions. Change it (rabbitmqctl change_password, or the provider's "
        "console: CloudAMQP, Amazon MQ) and read the URI from a secret store.",
    ),
    rule(
        "database-connection-uri",
        "Database connection URI with a password (SQL Server, Oracle, ClickHouse, Neo4j, Snowflake and others)",
        "high",
        (
            "mssql",
            "sqlserver",
            "oracle",
            "clickhouse",
            "neo4j",
            "bolt",
            "cockroach",
            "snowflake",
            "redshift",
            "db2",
            "cassandra",
            "couchbase",
            "trino",
            "presto",
            "vertica",
            "influxdb",
            "singlestore",
            "tidb",
            "hana",
        ),
        _uri(
            r"mssql|sqlserver|oracle|clickhouses?|neo4j|bolt|cockroach(?:db)?|snowflake|redshift|db2|ibm_db_sa"
            r"|cassandra|couchbases?|trino|presto|vertica|influxdb|singlestoredb|tidb|hana"
        ),
        min_entropy=2.0,
        examples=(
            'dsn = "sqlserver://svc_orders:{alnum:18}@sql.{lower:6}.internal:1433?database=orders"',
            "CLICKHOUSE_URL=clickhouse://default:{alnum:20}@{lowernum:10}.eu-west-1.aws.clickhouse.cloud:9440/"
            "default?secure=true",
            "NEO4J_URI=neo4j+s://neo4j:{b64url:43}@{hex:8}.databases.neo4j.io",
            'url = "snowflake://etl:{alnum:20}@{lower:7}-{lower:7}/analytics/public?warehouse=compute_wh"',
            "oracle+oracledb://scott:{alnum:14}@db.{lower:6}.internal:1521/?service_name=ORCLPDB1",
        ),
        counter_examples=(
            "NEO4J_URI=neo4j://neo4j:neo4j@localhost:7687",
            "DSN=sqlserver://sa:<YourStrong@Passw0rd>@localhost:1433",
            "NEO4J_URI=bolt://localhost:7687",
        ),
        help="A database connection URI holding a user's password: it logs in as that user. Change the "
        "password in the database (ALTER LOGIN, ALTER USER) or the provider's console and read the URI from "
        "the environment or a secret store.",
    ),
    rule(
        "jdbc-connection-password",
        "Password in a JDBC connection URL",
        "high",
        ("jdbc:",),
        r"(?i:jdbc:)(?:(?i:oracle:(?:thin|oci8?)):[^\s/@\"'`:;]{1,128}/"
        r"|(?i:[a-z0-9]{2,20}(?::[a-z0-9]{1,20}){0,3}):[^\s\"'`<>]{0,512}?[;?&:](?i:password|pwd)=)"
        r"([^\s;&@\"'`<>{}]{6,256})(?=[\s;&@\"'`<>)]|$)",
        min_entropy=2.0,
        examples=(
            'url = "jdbc:sqlserver://sql.{lower:6}.internal:1433;databaseName=orders;user=svc_orders;'
            'password={alnum:18};encrypt=true"',
            "spring.datasource.url=jdbc:mysql://db.{lower:6}.internal:3306/shop?user=shop&password={alnum:16}"
            "&useSSL=true",
            "jdbc:postgresql://db.{lower:6}.internal/app?user=app&password={alnum:20}&ssl=true",
            'jdbcUrl: "jdbc:oracle:thin:scott/{alnum:14}@//db.{lower:6}.internal:1521/ORCLPDB1"',
        ),
        counter_examples=(
            "spring.datasource.url=jdbc:postgresql://db:5432/app?user=app&password=${{DB_PASSWORD}}",
            'url = "jdbc:sqlserver://localhost:1433;databaseName=app;user=sa;password=<password>"',
            "spring.datasource.url=jdbc:mysql://localhost:3306/shop?useSSL=false",
        ),
        help="A JDBC URL with the database password in it (;password=, ?password= or Oracle's user/password@). "
        "Change the password in the database and give it to the driver from a secret store (a separate "
        "datasource property read from the environment) instead of the URL.",
    ),
    rule(
        "odbc-connection-password",
        "Password in an ODBC connection string",
        "high",
        ("pwd", "password"),
        r"(?i)(?<![A-Za-z0-9_])(?:driver[ \t]*=[ \t]*(?:\{[^{}\r\n]{1,128}\}|[^;{}\r\n\"'`]{1,128})"
        r"|dsn[ \t]*=[^;\r\n\"'`]{1,128})"
        + _STRING_PAIRS
        + r"(?:pwd|password)[ \t]*=[ \t]*"
        + _ODBC_BRACE
        + _STRING_VALUE
        + r"\}?"
        + _STRING_END,
        min_entropy=2.0,
        examples=(
            'conn = pyodbc.connect("Driver={{ODBC Driver 18 for SQL Server}};Server=tcp:sql.{lower:6}.internal,'
            '1433;Database=orders;Uid=svc_orders;Pwd={alnum:18};Encrypt=yes;")',
            "DSN=warehouse;UID=etl;PWD={{{alnum:16}}};",
        ),
        counter_examples=(
            'conn = pyodbc.connect("Driver={{ODBC Driver 18 for SQL Server}};Server=sql;Trusted_Connection=yes;")',
            "DSN=warehouse;UID=etl;PWD=${{ETL_PASSWORD}};",
            'conn_str = f"Driver={{{{ODBC Driver 18 for SQL Server}}}};Server={{host}};Uid={{user}};Pwd={{db_pass}};"',
            "Driver={{PostgreSQL Unicode}};Server=db;Database=app;Uid=app;Pwd=<password>;",
        ),
        help="An ODBC connection string (Driver= or DSN=) with the database password in PWD=. Change the "
        "password in the database and supply it at run time (a secret store, an environment variable, or "
        "integrated authentication) instead of the string.",
    ),
    rule(
        "ado-net-connection-password",
        "Password in an ADO.NET or SQL connection string",
        "high",
        ("pwd", "password"),
        r"(?i)(?<![A-Za-z0-9_])(?:server|data[ ]?source|host|addr(?:ess)?|network[ ]?address|initial[ ]?catalog"
        r"|database|uid|user[ ]?id|user[ ]?name|user)[ \t]*=[^;\r\n\"'`]{1,256}"
        + _STRING_PAIRS
        + r"(?:pwd|password)[ \t]*=[ \t]*"
        + _STRING_VALUE
        + _STRING_END,
        min_entropy=2.0,
        examples=(
            '"DefaultConnection": "Server=tcp:{lower:8}.database.windows.net,1433;Initial Catalog=orders;'
            'User ID=app;Password={alnum:20};Encrypt=True;"',
            '<add name="Shop" connectionString="Data Source=sql01;Initial Catalog=Shop;User Id=shop;'
            'Password={alnum:16};" providerName="System.Data.SqlClient" />',
            "Host=db.{lower:6}.internal;Port=5432;Database=app;Username=app;Password={alnum:18}",
            "Server=db.{lower:6}.internal;Database=shop;Uid=shop;Pwd={alnum:16};",
        ),
        counter_examples=(
            '"DefaultConnection": "Server=(localdb)\\\\mssqllocaldb;Database=App;Trusted_Connection=True;"',
            '"DefaultConnection": "Server=db;Database=app;User Id=sa;Password=${{DB_PASSWORD}};"',
            "Server=myServerAddress;Database=myDataBase;User Id=myUsername;Password=myPassword;",
            "Server=db;Database=app;User Id=sa;Password=<YourStrong@Passw0rd>;",
            'string.Format("Server={{0}};Database={{1}};User Id={{2}};Password={{3}};", host, db, user, pw)',
        ),
        help="A .NET or SQL connection string (Server=...;Password=... or Pwd=...) with a database password. "
        "Change the password in the database and load the string from a secret store (Key Vault, user "
        "secrets) or use integrated or managed-identity authentication.",
    ),
    rule(
        "url-credentials",
        "Credentials embedded in a URL",
        "medium",
        ("://",),
        r"://[^\s:/?#@\"'<>\[\]{},]{0,128}:([^\s/?#@\"'<>\[\]{},]{6,128})@[A-Za-z0-9_.\[\]:-]{1,255}",
        examples=(
            "git clone https://deploy:{alnum:24}@git.{lower:6}.internal/platform/app.git",
            "SMTP_URL=smtp://apikey:{b64url:40}@smtp.{lower:6}.net:587",
            'proxies = {{"https": "http://svc-proxy:{alnum:16}@proxy.{lower:5}.internal:3128"}}',
            "ELASTICSEARCH_URL=https://elastic:{alnum:24}@{hex:32}.us-east-1.aws.found.io:9243",
        ),
        counter_examples=(
            "git clone https://oauth2:${{CI_JOB_TOKEN}}@gitlab.{lower:6}.com/group/app.git",
            "https://<user>:<password>@registry.{lower:6}.io/v2/",
            "PROXY=http://user:****@proxy.{lower:5}.internal:3128",
            "ftp://anonymous:guest@ftp.{lower:6}.org/pub/",
            "see http://localhost:8080/@{lower:5}/package and git@github.com:org/repo.git",
        ),
        help="A user name and password (or token) in a URL's userinfo (scheme://user:password@host): it is "
        "logged by proxies and tools and shown in process lists. Change the password or revoke the token at "
        "that host and pass it through a credential helper, a .netrc kept out of the repository, or the "
        "environment.",
    ),
)
