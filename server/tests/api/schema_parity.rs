//! The SQLite and PostgreSQL migrations are kept in step: migrated fresh, both databases have the
//! same tables with the same columns (type family, nullability, default), primary keys, foreign
//! keys (with their ON DELETE), unique constraints and indexes (name, uniqueness, columns).
use std::collections::{BTreeMap, BTreeSet};

use sqlx::{Connection, PgConnection, SqliteConnection};

use crate::helpers::{postgres_admin_url, TestDatabase};

#[derive(Debug, Clone, PartialEq, Eq)]
struct Column {
    name: String,
    /// `integer`, `text` or `real`: what the two type systems have in common.
    family: &'static str,
    not_null: bool,
    default: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct ForeignKey {
    columns: Vec<String>,
    table: String,
    to: Vec<String>,
    on_delete: String,
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Table {
    columns: Vec<Column>,
    primary_key: Vec<String>,
    foreign_keys: BTreeSet<ForeignKey>,
    /// Column lists of UNIQUE constraints (their index names differ by backend).
    uniques: BTreeSet<Vec<String>>,
    /// Created indexes: name → (unique, columns).
    indexes: BTreeMap<String, (bool, Vec<String>)>,
}

fn family(declared: &str) -> &'static str {
    let t = declared.to_ascii_lowercase();
    if t.contains("int") {
        "integer"
    } else if t.contains("char") || t.contains("text") || t.contains("clob") {
        "text"
    } else if t.contains("real") || t.contains("floa") || t.contains("doub") || t == "numeric" {
        "real"
    } else {
        panic!("a column type outside the shared families: {declared}")
    }
}

/// PostgreSQL prints a default with its type (`'pending'::text`); SQLite as written.
fn normalize_default(d: Option<String>) -> Option<String> {
    d.map(|d| {
        let d = d.trim();
        d.split("::").next().unwrap_or(d).trim().to_string()
    })
}

async fn sqlite_schema(conn: &mut SqliteConnection) -> BTreeMap<String, Table> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table'
         AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    let mut out = BTreeMap::new();
    for name in names {
        let mut t = Table::default();
        let columns: Vec<(String, String, i64, Option<String>, i64)> = sqlx::query_as(
            "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info($1) ORDER BY cid",
        )
        .bind(&name)
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        let mut pk: Vec<(i64, String)> = Vec::new();
        for (column, declared, not_null, default, in_pk) in columns {
            if in_pk > 0 {
                pk.push((in_pk, column.clone()));
            }
            t.columns.push(Column {
                name: column,
                family: family(&declared),
                // A primary key column is NOT NULL on PostgreSQL. SQLite lets a non-integer one
                // hold NULL (a legacy quirk); Greenlight never writes one.
                not_null: not_null == 1 || in_pk > 0,
                default: normalize_default(default),
            });
        }
        pk.sort();
        t.primary_key = pk.into_iter().map(|(_, c)| c).collect();

        let fks: Vec<(i64, i64, String, String, Option<String>, String)> = sqlx::query_as(
            "SELECT id, seq, \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list($1)
             ORDER BY id, seq",
        )
        .bind(&name)
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        let mut by_id: BTreeMap<i64, ForeignKey> = BTreeMap::new();
        for (id, _, table, from, to, on_delete) in fks {
            let fk = by_id.entry(id).or_insert_with(|| ForeignKey {
                columns: Vec::new(),
                table,
                to: Vec::new(),
                on_delete: on_delete.to_ascii_uppercase(),
            });
            fk.columns.push(from);
            fk.to
                .push(to.expect("foreign keys name their target columns"));
        }
        t.foreign_keys = by_id.into_values().collect();

        let indexes: Vec<(String, i64, String)> =
            sqlx::query_as("SELECT name, \"unique\", origin FROM pragma_index_list($1)")
                .bind(&name)
                .fetch_all(&mut *conn)
                .await
                .unwrap();
        for (index, unique, origin) in indexes {
            let columns: Vec<String> =
                sqlx::query_scalar("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                    .bind(&index)
                    .fetch_all(&mut *conn)
                    .await
                    .unwrap();
            match origin.as_str() {
                "pk" => {}
                "u" => {
                    t.uniques.insert(columns);
                }
                _ => {
                    t.indexes.insert(index, (unique == 1, columns));
                }
            }
        }
        out.insert(name, t);
    }
    out
}

fn on_delete(code: &str) -> String {
    match code {
        "c" => "CASCADE",
        "n" => "SET NULL",
        "d" => "SET DEFAULT",
        "r" => "RESTRICT",
        _ => "NO ACTION",
    }
    .to_string()
}

async fn postgres_schema(conn: &mut PgConnection) -> BTreeMap<String, Table> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT CAST(tablename AS TEXT) FROM pg_tables
         WHERE schemaname = current_schema() AND tablename <> '_sqlx_migrations' ORDER BY 1",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    let mut out = BTreeMap::new();
    for name in names {
        let mut t = Table::default();
        let columns: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT CAST(column_name AS TEXT), CAST(data_type AS TEXT), CAST(is_nullable AS TEXT),
                    CAST(column_default AS TEXT)
             FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        )
        .bind(&name)
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        for (column, declared, nullable, default) in columns {
            t.columns.push(Column {
                name: column,
                family: family(&declared),
                not_null: nullable == "NO",
                default: normalize_default(default),
            });
        }

        let indexes: Vec<(String, bool, bool, bool, Vec<String>)> = sqlx::query_as(
            "SELECT CAST(c.relname AS TEXT), i.indisunique, i.indisprimary,
                    EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid
                            AND k.contype = 'u'),
                    ARRAY(SELECT CAST(a.attname AS TEXT)
                          FROM unnest(CAST(i.indkey AS int2[])) WITH ORDINALITY AS k(attnum, ord)
                          JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                          ORDER BY k.ord)
             FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
             WHERE i.indrelid = to_regclass($1)",
        )
        .bind(&name)
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        for (index, unique, primary, constraint, columns) in indexes {
            if primary {
                t.primary_key = columns;
            } else if constraint {
                t.uniques.insert(columns);
            } else {
                t.indexes.insert(index, (unique, columns));
            }
        }

        let fks: Vec<(Vec<String>, String, Vec<String>, String)> = sqlx::query_as(
            "SELECT ARRAY(SELECT CAST(a.attname AS TEXT)
                          FROM unnest(k.conkey) WITH ORDINALITY AS u(attnum, ord)
                          JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum
                          ORDER BY u.ord),
                    CAST(CAST(k.confrelid AS regclass) AS TEXT),
                    ARRAY(SELECT CAST(a.attname AS TEXT)
                          FROM unnest(k.confkey) WITH ORDINALITY AS u(attnum, ord)
                          JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.attnum
                          ORDER BY u.ord),
                    CAST(k.confdeltype AS TEXT)
             FROM pg_constraint k WHERE k.conrelid = to_regclass($1) AND k.contype = 'f'",
        )
        .bind(&name)
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        t.foreign_keys = fks
            .into_iter()
            .map(|(columns, table, to, code)| ForeignKey {
                columns,
                table,
                to,
                on_delete: on_delete(&code),
            })
            .collect();
        out.insert(name, t);
    }
    out
}

#[tokio::test]
async fn schema_parity() {
    let Some(admin) = postgres_admin_url() else {
        println!(
            "schema_parity skipped: GREENLIGHT_TEST_POSTGRES_URL is not set \
             (scripts/test.sh starts a PostgreSQL and sets it)"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let sqlite_url = format!("sqlite://{}/parity.db", dir.path().display());
    greenlight::db::open(&sqlite_url).await.unwrap();
    let pg = TestDatabase::postgres(&admin).await;
    greenlight::db::open(&pg.url).await.unwrap();

    let sqlite = sqlite_schema(&mut SqliteConnection::connect(&sqlite_url).await.unwrap()).await;
    let postgres = postgres_schema(&mut PgConnection::connect(&pg.url).await.unwrap()).await;

    assert_eq!(
        sqlite.keys().collect::<Vec<_>>(),
        postgres.keys().collect::<Vec<_>>(),
        "the same tables"
    );
    assert!(sqlite.len() >= 16, "{:?}", sqlite.keys());
    for (name, table) in &sqlite {
        assert!(
            !table.primary_key.is_empty(),
            "{name}: every table has a primary key"
        );
        assert_eq!(table, &postgres[name], "table {name}: SQLite vs PostgreSQL");
    }
}

/// After the PostgreSQL baseline (0011), every migration exists in both directories with the
/// same number, so the two schemas move together.
#[test]
fn migrations_after_the_baseline_come_in_pairs() {
    let versions = |backend: &str| -> BTreeSet<String> {
        let dir = format!("{}/migrations/{backend}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .map(|n| n.split('_').next().unwrap().to_string())
            .filter(|v| v.as_str() > "0011")
            .collect()
    };
    assert_eq!(versions("sqlite"), versions("postgres"));
    assert!(
        std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/migrations/postgres/0011_baseline.sql"
        ))
        .exists(),
        "the PostgreSQL baseline carries the version of the last SQLite migration it covers"
    );
}
