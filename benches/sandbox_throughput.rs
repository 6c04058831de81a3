//! Requests per second the sandbox serves on loopback, so that it is never the bottleneck
//! of a test. Prints the median of several rounds per endpoint (the machine is shared: single
//! timings mean little).
//!
//! Run: `cargo bench --bench sandbox_throughput` (optional args: ROUNDS REQUESTS CONCURRENCY).
//! Client and server share the machine's cores, so the figure is a floor.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use caisse::sandbox::{self, SandboxConfig};
use serde_json::json;

const KEY: &str = "bench-key";

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let rounds = args.first().copied().unwrap_or(5);
    let requests = args.get(1).copied().unwrap_or(20_000);
    let concurrency = args.get(2).copied().unwrap_or(32);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let config = SandboxConfig {
            api_key: KEY.into(),
            // The bench polls one transaction far beyond Intech's limit on purpose.
            status_limit: u32::MAX,
            ..SandboxConfig::default()
        };
        let sandbox = sandbox::spawn(config, SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap();
        let url = sandbox.url();
        let client = caisse::http::client_builder().pool_max_idle_per_host(concurrency).build().unwrap();

        // One transaction to poll.
        let ext = uuid::Uuid::now_v7().to_string();
        let reply: serde_json::Value = client
            .post(format!("{url}/api-services/operation"))
            .json(&json!({"apiKey": KEY, "phone": "772450000", "amount": 1000,
                "codeService": "WAVE_SN_API_CASH_IN", "externalTransactionId": ext,
                "callbackUrl": "http://127.0.0.1:9/cb", "sender": "Bench"}))
            .send().await.unwrap().json().await.unwrap();
        assert_eq!(reply["code"], 2000, "{reply}");

        println!("sandbox throughput: {rounds} rounds x {requests} requests, {concurrency} concurrent clients, loopback");
        for endpoint in ["GET balance", "POST get-transaction-status"] {
            let mut rates = Vec::new();
            for _ in 0..rounds {
                rates.push(round(&client, &url, &ext, endpoint, requests, concurrency).await);
            }
            rates.sort_by(f64::total_cmp);
            println!(
                "  {endpoint:<28} median {:>8.0} req/s   (min {:.0}, max {:.0})",
                rates[rates.len() / 2],
                rates[0],
                rates[rates.len() - 1]
            );
        }
        sandbox.shutdown().await;
    });
}

async fn round(
    client: &reqwest::Client,
    url: &str,
    ext: &str,
    endpoint: &str,
    requests: usize,
    concurrency: usize,
) -> f64 {
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, url, ext, next, endpoint) = (
            client.clone(),
            url.to_owned(),
            ext.to_owned(),
            next.clone(),
            endpoint.to_owned(),
        );
        tasks.push(tokio::spawn(async move {
            while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < requests {
                let response = if endpoint.starts_with("GET") {
                    client
                        .get(format!("{url}/api-services/balance"))
                        .header("Secretkey", KEY)
                        .send()
                        .await
                } else {
                    client
                        .post(format!("{url}/api-services/get-transaction-status"))
                        .json(&json!({"apiKey": KEY, "externalTransactionId": ext}))
                        .send()
                        .await
                };
                let body = response.unwrap().bytes().await.unwrap();
                assert!(
                    body.starts_with(b"{\"code\":2000")
                        || body.windows(11).any(|w| w == b"\"code\":2000"),
                    "{}",
                    String::from_utf8_lossy(&body)
                );
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = started.elapsed().max(Duration::from_micros(1));
    requests as f64 / elapsed.as_secs_f64()
}
