-- Comptoir on PostgreSQL: the database and its two roles. Run once per database,
-- as a superuser, with psql (the variables below are psql variables):
--
--   psql -h db.internal -U postgres -v ON_ERROR_STOP=1 \
--        -v owner_password="$OWNER_PASSWORD" -v app_password="$APP_PASSWORD" \
--        -f infra/postgres/roles.sql
--
-- Then, as the owner, create the tables and the row-level security policies:
--
--   DATABASE_OWNER_URL=postgresql://comptoir_owner:...@db.internal/comptoir \
--   DATABASE_URL=postgresql://comptoir_app:...@db.internal/comptoir \
--   COMPTOIR_APP_ROLE=comptoir_app comptoir db migrate
--
-- Names can be changed with -v owner=... -v app=... -v db=... (the application
-- role's name must then be given to `comptoir db migrate` as COMPTOIR_APP_ROLE).

\set ON_ERROR_STOP on
\if :{?owner}
\else
  \set owner comptoir_owner
\endif
\if :{?app}
\else
  \set app comptoir_app
\endif
\if :{?db}
\else
  \set db comptoir
\endif

-- The owner: owns the schema and every table, runs migrations, nothing else.
-- As the tables' owner it is not subject to their policies (no FORCE ROW LEVEL
-- SECURITY), which is why the application must never connect as it.
CREATE ROLE :"owner" LOGIN PASSWORD :'owner_password'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;

-- The application: what `comptoir serve` and `comptoir worker` connect as.
-- Not a superuser, no BYPASSRLS, owns nothing: every tenant table's policy
-- applies to each of its queries.
CREATE ROLE :"app" LOGIN PASSWORD :'app_password'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT;

-- Guard rails for the application's sessions: a runaway query or a transaction
-- left open by a crashed process cannot hold locks for long, and a backend
-- whose client has vanished stops working within seconds (PostgreSQL 14+).
ALTER ROLE :"app" SET statement_timeout = '30s';
ALTER ROLE :"app" SET idle_in_transaction_session_timeout = '60s';
ALTER ROLE :"app" SET client_connection_check_interval = '5s';
-- Plan each statement with its own values: tenants differ in size by orders of
-- magnitude, and a generic plan costed for the average tenant can read a big
-- tenant's whole table (the app also asks for this when it connects; this
-- covers PgBouncer, which does not pass that setting on).
ALTER ROLE :"app" SET plan_cache_mode = 'force_custom_plan';

CREATE DATABASE :"db" OWNER :"owner" ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO :"app";

\connect :"db"

-- Only the owner creates objects; the application may use the schema.
ALTER SCHEMA public OWNER TO :"owner";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app";

-- Table privileges (SELECT, INSERT, UPDATE, DELETE; never TRUNCATE, which
-- ignores policies) and the policies themselves are granted by
-- `comptoir db migrate` after every migration, for every table, so a new
-- table can never be forgotten here.
