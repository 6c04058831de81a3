//! The head office's administration: a shop's login role and its `shops` row. The
//! password reaches PostgreSQL only as a SCRAM-SHA-256 verifier computed here, so it is
//! in no statement the server could log.

use tokio_postgres::Client;

use super::connect::{HqError, Target};

/// A new password: 32 random hexadecimal characters (128 bits, from the system's RNG
/// through UUID v4's generator; nothing to type by hand, it goes into the shop's file).
pub fn generate_password() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )[..32]
        .to_owned()
}

/// Creates `shop_id`'s role (member of `caisse_shop`, nothing else) and its row, in one
/// transaction. An existing shop is refused: its password is not changed by mistake.
pub async fn add_shop(
    target: &Target,
    client: &mut Client,
    shop_id: &str,
    password: &str,
) -> Result<String, HqError> {
    let refused = |e: tokio_postgres::Error| target.refused(&e);
    if !super::valid_shop_id(shop_id) {
        return Err(HqError::Refused {
            url: target.shown().to_owned(),
            reason: format!(
                "« {shop_id} » : un identifiant de boutique a de 1 à 40 lettres minuscules, \
                 chiffres, - ou _"
            ),
        });
    }
    let role = super::role_name(shop_id);
    let verifier = postgres_protocol::password::scram_sha_256(password.as_bytes());
    let t = client.transaction().await.map_err(refused)?;
    let exists: bool = t
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) \
             OR EXISTS (SELECT 1 FROM hq.shops WHERE shop_id = $2)",
            &[&role, &shop_id],
        )
        .await
        .map_err(refused)?
        .get(0);
    if exists {
        return Err(HqError::Refused {
            url: target.shown().to_owned(),
            reason: format!("la boutique {shop_id} (rôle {role}) existe déjà au siège"),
        });
    }
    // DDL takes no parameters: the statement is quoted by the server (%I, %L).
    let create: String = t
        .query_one(
            "SELECT format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE caisse_shop', \
             $1::text, $2::text)",
            &[&role, &verifier],
        )
        .await
        .map_err(refused)?
        .get(0);
    t.batch_execute(&create).await.map_err(refused)?;
    t.execute(
        "INSERT INTO hq.shops (shop_id, role_name) VALUES ($1, $2)",
        &[&shop_id, &role],
    )
    .await
    .map_err(refused)?;
    t.commit().await.map_err(refused)?;
    Ok(role)
}
