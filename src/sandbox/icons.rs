//! Our own service icons (`assets/icons/*.svg`), embedded and served at
//! `/icons/{stem}.svg`.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

macro_rules! svgs {
    ($($stem:literal),* $(,)?) => {
        &[$(($stem, include_str!(concat!("../../assets/icons/", $stem, ".svg")))),*]
    };
}

/// Every drawing, by stem (the `icon` of a service in the catalogue).
pub(crate) static FILES: &[(&str, &str)] = crate::catalog::services::with_icon_stems!(svgs);

/// The SVG of a stem.
pub(crate) fn get(stem: &str) -> Option<&'static str> {
    FILES.iter().find(|(s, _)| *s == stem).map(|(_, svg)| *svg)
}

/// `GET /icons/{stem}.svg`
pub(crate) async fn serve(Path(file): Path<String>) -> Response {
    let Some(svg) = file.strip_suffix(".svg").and_then(get) else {
        return (StatusCode::NOT_FOUND, "icône inconnue").into_response();
    };
    let mut response = (StatusCode::OK, svg).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    response
}
