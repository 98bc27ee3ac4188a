"""Database layer: tables, engine setup and transactions that behave alike on SQLite and PG."""
