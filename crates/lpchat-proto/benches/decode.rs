//! Decode throughput of a multi-chat poll (A13) of 50 chats x 40 events, in JSON and in XML,
//! beside `serde_json::Value` parsing the same JSON bytes. Criterion prints MiB/s for each.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use lpchat_proto::model::Chats;
use lpchat_proto::{decode, Format, Limits};

/// A realistic multi-chat body: per chat its links, 40 line and state events with the
/// documented fields, and its info.
fn multi_chat_json(chats: usize, events: usize) -> String {
    let base =
        "https://va.agentvep.liveperson.net/api/account/12345678/agentSession/1027882276/chat";
    let mut out = String::from(r#"{"chats":{"chat":["#);
    for c in 0..chats {
        let key = format!(
            "H{:019}-{:032x}K{}",
            2_170_755_172_687_460_894u64 + c as u64,
            c * 7919,
            8_457_415 + c
        );
        if c > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            r#"{{"link":[{{"href":"{base}/{key}","rel":"self"}},{{"href":"{base}/{key}?from={events}","rel":"next"}},{{"href":"{base}/{key}/events","rel":"events"}},{{"href":"{base}/{key}/info","rel":"info"}}],"events":{{"link":[{{"href":"{base}/{key}/events","rel":"self"}},{{"href":"{base}/{key}/events?from={events}","rel":"next"}}],"event":["#
        ));
        for e in 0..events {
            if e > 0 {
                out.push(',');
            }
            if e % 10 == 0 {
                out.push_str(&format!(
                    r#"{{"id":{e},"type":"state","time":"2018-01-29T08:19:43.963-05:00","state":"chatting"}}"#
                ));
            } else {
                let (by, source) = if e % 2 == 0 {
                    ("visitor", "visitor")
                } else {
                    ("Barber", "agent")
                };
                out.push_str(&format!(
                    r#"{{"id":{e},"type":"line","time":"2018-01-29T08:20:{:02}.{:03}-05:00","textType":"plain","text":"Message number {e} in chat {c}: could you check my order status please?","by":"{by}","source":"{source}","subType":"REGULAR"}}"#,
                    e % 60,
                    (e * 37) % 1000
                ));
            }
        }
        out.push_str(&format!(
            r#"]}},"info":{{"state":"chatting","chatSessionKey":"{key}","agentName":"Barber","agentId":25025413,"startTime":"2018-01-29T08:19:43.963-05:00","duration":0,"lastUpdate":"2018-01-29T08:21:10.319-05:00","chatTimeout":40,"visitorId":1214701440734022,"agentTyping":"not-typing","visitorTyping":"typing","visitorName":"visitor","rtSessionId":4295036103,"sharkVisitorId":"rloXnVgEQ-iQuoOytvKNqA","sharkSessionId":"rN82d4rATN6EuiA4cJwaPg","sharkContextId":"3","engagementId":"27469613","campaignId":"26948813","language":"en-US"}}}}"#
        ));
    }
    out.push_str("]}}");
    out
}

fn bench(c: &mut Criterion) {
    let json = multi_chat_json(50, 40);
    let limits = Limits::default();
    let model: Chats = match decode(Format::Json, json.as_bytes(), &limits) {
        Ok(m) => m,
        Err(e) => panic!("benchmark body does not decode: {e}"),
    };
    assert_eq!(model.chats.len(), 50);
    let xml = match lpchat_proto::encode(Format::Xml, &model) {
        Ok(b) => b,
        Err(e) => panic!("cannot encode the XML body: {e}"),
    };

    let mut group = c.benchmark_group("multi_chat_50x40");
    group.throughput(Throughput::Bytes(json.len() as u64));
    group.bench_with_input(
        BenchmarkId::new("typed", "json"),
        json.as_bytes(),
        |b, body| b.iter(|| decode::<Chats>(Format::Json, body, &limits)),
    );
    group.bench_with_input(
        BenchmarkId::new("serde_json_value", "json"),
        json.as_bytes(),
        |b, body| b.iter(|| serde_json::from_slice::<serde_json::Value>(body)),
    );
    group.throughput(Throughput::Bytes(xml.len() as u64));
    group.bench_with_input(BenchmarkId::new("typed", "xml"), &xml[..], |b, body| {
        b.iter(|| decode::<Chats>(Format::Xml, body, &limits))
    });
    group.finish();
    println!("bodies: json {} bytes, xml {} bytes", json.len(), xml.len());
}

criterion_group!(benches, bench);
criterion_main!(benches);
