//! interop-rust exercises edge-namesrv with rocketmq-client-rust (crates.io), speaking the same
//! line protocol as the Java and Go interop programs:
//!
//!   interop-rust produce <namesrv> <topic> <group> <count> <prefix>
//!   interop-rust consume <namesrv> <topic> <group> <expected> <prefix> <timeoutMs>
//!   interop-rust route   <namesrv> <topic>
//!
//! produce sends messages whose key and body are "<prefix>-<i>" and prints
//! "SENT <key> <broker> <queueId>" per message (exit 1 if any send failed).
//! consume push-consumes from the first offset, prints "READY", then "RECV <key> <body>" once per
//! distinct key, and exits 0 when all expected keys arrived (1 on timeout).
//! route asks the NameServer through the client's admin API and prints "ROUTE <json>" (the topic
//! route as the client decoded it, or "ROUTE none") and "CLUSTER <json>" (the cluster info).

use std::collections::HashSet;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use rocketmq_client_rust::ClientResult;
use rocketmq_client_rust::ClientRuntime;
use rocketmq_client_rust::ClientRuntimeConfig;
use rocketmq_client_rust::ConsumeConcurrentlyContext;
use rocketmq_client_rust::ConsumeConcurrentlyStatus;
use rocketmq_client_rust::DefaultMQAdminExt;
use rocketmq_client_rust::DefaultMQProducer;
use rocketmq_client_rust::DefaultMQPushConsumer;
use rocketmq_client_rust::MQAdminReadExt;
use rocketmq_client_rust::MQPushConsumer;
use rocketmq_client_rust::TelemetryHandle;
use rocketmq_model::common::consumer::consume_from_where::ConsumeFromWhere;
use rocketmq_model::common::message::message_ext::MessageExt;
use rocketmq_model::common::message::message_single::Message;
use rocketmq_model::result::SendStatus;
use rocketmq_runtime::RuntimeOwner;
use tokio::sync::mpsc;

fn usage() -> ExitCode {
    eprintln!("usage: interop-rust produce <namesrv> <topic> <group> <count> <prefix>");
    eprintln!("       interop-rust consume <namesrv> <topic> <group> <expected> <prefix> <timeoutMs>");
    eprintln!("       interop-rust route <namesrv> <topic>");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |s: &String| s.parse::<u64>().ok();
    let command = match (args.first().map(String::as_str), args.len()) {
        (Some("produce"), 6) => match number(&args[4]) {
            Some(count) => Command::Produce { namesrv: &args[1], topic: &args[2], group: &args[3], count, prefix: &args[5] },
            None => return usage(),
        },
        (Some("consume"), 7) => match (number(&args[4]), number(&args[6])) {
            (Some(expected), Some(timeout_ms)) => Command::Consume {
                namesrv: &args[1],
                topic: &args[2],
                group: &args[3],
                expected,
                prefix: &args[5],
                timeout: Duration::from_millis(timeout_ms),
            },
            _ => return usage(),
        },
        (Some("route"), 3) => Command::Route { namesrv: &args[1], topic: &args[2] },
        _ => return usage(),
    };

    // The client runs on a runtime the application owns; it is shut down after the client.
    let owner = match RuntimeOwner::new() {
        Ok(owner) => owner,
        Err(error) => {
            println!("ERROR runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let client_runtime = match ClientRuntime::try_new(
        owner.root_context().component("interop"),
        ClientRuntimeConfig::default(),
        TelemetryHandle::noop(),
    ) {
        Ok(runtime) => runtime,
        Err(error) => {
            println!("ERROR client runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = owner.block_on(async {
        let outcome = command.run(Arc::clone(&client_runtime)).await;
        client_runtime.shutdown().await;
        outcome
    });
    // Exit without waiting on the runtime's own shutdown: the verdict is already printed.
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            println!("ERROR {error}");
            ExitCode::FAILURE
        }
    }
}

enum Command<'a> {
    Produce { namesrv: &'a str, topic: &'a str, group: &'a str, count: u64, prefix: &'a str },
    Consume { namesrv: &'a str, topic: &'a str, group: &'a str, expected: u64, prefix: &'a str, timeout: Duration },
    Route { namesrv: &'a str, topic: &'a str },
}

impl Command<'_> {
    /// Ok(true) when the command did all it was asked to.
    async fn run(&self, runtime: Arc<ClientRuntime>) -> ClientResult<bool> {
        match *self {
            Command::Produce { namesrv, topic, group, count, prefix } => produce(runtime, namesrv, topic, group, count, prefix).await,
            Command::Consume { namesrv, topic, group, expected, prefix, timeout } => {
                consume(runtime, namesrv, topic, group, expected, prefix, timeout).await
            }
            Command::Route { namesrv, topic } => route(runtime, namesrv, topic).await,
        }
    }
}

async fn produce(runtime: Arc<ClientRuntime>, namesrv: &str, topic: &str, group: &str, count: u64, prefix: &str) -> ClientResult<bool> {
    let mut producer = DefaultMQProducer::builder(runtime)
        .producer_group(group)
        .name_server_addr(namesrv)
        .send_msg_timeout(10_000)
        .retry_times_when_send_failed(4)
        .build();
    producer.start().await?;
    let mut failures = 0u64;
    for i in 0..count {
        let key = format!("{prefix}-{i}");
        let message = Message::builder()
            .topic(topic)
            .tags("interop")
            .keys(vec![key.clone()])
            .body_slice(key.as_bytes())
            .build_unchecked();
        match producer.send_with_timeout(message, 10_000).await {
            Ok(Some(result)) if result.send_status == SendStatus::SendOk => {
                let (broker, queue) = result
                    .message_queue
                    .as_ref()
                    .map(|q| (q.broker_name().to_string(), q.queue_id()))
                    .unwrap_or_default();
                println!("SENT {key} {broker} {queue}");
            }
            Ok(Some(result)) => {
                failures += 1;
                println!("FAILED {key} {:?}", result.send_status);
            }
            Ok(None) => {
                failures += 1;
                println!("FAILED {key} no result");
            }
            Err(error) => {
                failures += 1;
                println!("FAILED {key} {error}");
            }
        }
    }
    producer.shutdown().await;
    println!("DONE sent={} failed={failures}", count - failures);
    Ok(failures == 0)
}

async fn consume(
    runtime: Arc<ClientRuntime>,
    namesrv: &str,
    topic: &str,
    group: &str,
    expected: u64,
    prefix: &str,
    timeout: Duration,
) -> ClientResult<bool> {
    let (received, mut arrivals) = mpsc::unbounded_channel::<(String, String)>();
    let mut consumer = DefaultMQPushConsumer::builder(runtime)
        .consumer_group(group)
        .name_server_addr(namesrv)
        .consume_from_where(ConsumeFromWhere::ConsumeFromFirstOffset)
        .build();
    consumer.subscribe(topic, "*").await?;
    consumer.register_message_listener_concurrently(move |messages: &[&MessageExt], _: &ConsumeConcurrentlyContext| {
        for message in messages {
            let key = message.keys().and_then(|keys| keys.into_iter().next()).unwrap_or_default();
            let body = message.body().map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
            let _ = received.send((key, body));
        }
        Ok(ConsumeConcurrentlyStatus::ConsumeSuccess)
    });
    consumer.start().await?;
    println!("READY");

    let wanted = format!("{prefix}-");
    let mut seen = HashSet::new();
    let deadline = tokio::time::Instant::now() + timeout;
    while (seen.len() as u64) < expected {
        match tokio::time::timeout_at(deadline, arrivals.recv()).await {
            Ok(Some((key, body))) => {
                if key.starts_with(&wanted) && seen.insert(key.clone()) {
                    println!("RECV {key} {body}");
                }
            }
            Ok(None) | Err(_) => break,
        }
    }
    consumer.shutdown().await;
    println!("DONE received={} expected={expected}", seen.len());
    Ok(seen.len() as u64 == expected)
}

async fn route(runtime: Arc<ClientRuntime>, namesrv: &str, topic: &str) -> ClientResult<bool> {
    let mut admin = DefaultMQAdminExt::new(runtime);
    admin.set_namesrv_addr(namesrv);
    admin.start().await?;
    let outcome = async {
        match admin.examine_topic_route_info(topic.into()).await? {
            Some(route) => println!("ROUTE {}", serde_json::to_string(&route).unwrap_or_default()),
            None => println!("ROUTE none"),
        }
        let cluster = admin.examine_broker_cluster_info().await?;
        println!("CLUSTER {}", serde_json::to_string(&cluster).unwrap_or_default());
        ClientResult::Ok(true)
    }
    .await;
    admin.shutdown().await;
    outcome
}
