//! Opening the database: clear refusals for what cannot work, on either backend.
use greenlight::db::{self, DbOpenError};

#[tokio::test]
async fn an_unreachable_postgres_is_named_without_its_password() {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    let e = db::open("postgres://greenlight:s3cret-pw@127.0.0.1:1/greenlight?password=other-pw")
        .await
        .expect_err("nothing listens there");
    assert!(matches!(e, DbOpenError::Unreachable { .. }), "{e:?}");
    let shown = e.to_string();
    assert!(
        shown.starts_with(
            "cannot reach the PostgreSQL server of postgres://greenlight@127.0.0.1:1/greenlight:"
        ),
        "{shown}"
    );
    assert!(
        !shown.contains("s3cret-pw") && !shown.contains("other-pw"),
        "{shown}"
    );
}

#[tokio::test]
async fn an_unknown_scheme_is_refused() {
    let e = db::open("mysql://root@127.0.0.1/greenlight")
        .await
        .expect_err("MySQL is not supported");
    assert!(e.to_string().contains("sqlite:// or postgres://"), "{e}");
}

#[tokio::test]
async fn the_backend_is_known_from_the_pool() {
    let app = crate::helpers::spawn_app().await;
    let expected = if crate::helpers::postgres_admin_url().is_some() {
        db::Backend::Postgres
    } else {
        db::Backend::Sqlite
    };
    assert_eq!(db::Backend::of(&app.services.db), expected);
    let mut conn = app.services.db.acquire().await.unwrap();
    assert_eq!(db::Backend::of_connection(&conn), expected);
    if expected == db::Backend::Postgres {
        let version = db::server_version(&mut conn).await.unwrap();
        assert!(version.major >= db::MIN_POSTGRES_MAJOR, "{version:?}");
    }
}
