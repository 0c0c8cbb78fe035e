// A kafkajs consumer group driven by tests/integration/test_groups.py.
//
// usage: node group_consume.js <bootstrap> <group> <topic> <members> <expected records>
//
// Starts <members> consumers in one group. Each prints {"event":"joined"} with its partitions
// whenever the group assigns them. Once the members together received <expected> records,
// each commits the offset after its last record per partition and disconnects (LeaveGroup);
// then {"event":"done"} lists every record received as [partition, offset, key, value].
'use strict';

const { Kafka, logLevel } = require('kafkajs');

const [bootstrap, groupId, topic, memberCount, expectedCount] = process.argv.slice(2);
const members = Number(memberCount);
const expected = Number(expectedCount);
const deadlineMs = 90000;

function emit(event) {
  process.stdout.write(JSON.stringify(event) + '\n');
}

async function main() {
  const kafka = new Kafka({
    clientId: 'eddy-itest-js',
    brokers: [bootstrap],
    logLevel: logLevel.ERROR,
    retry: { retries: 10, initialRetryTime: 100 },
  });
  const received = [];
  let finish;
  const allReceived = new Promise((resolve) => { finish = resolve; });
  const consumers = [];
  const lastOffsets = []; // per member: Map partition -> last offset received

  for (let member = 0; member < members; member += 1) {
    const consumer = kafka.consumer({
      groupId, sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 100,
    });
    const last = new Map();
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const partitions = (payload.memberAssignment[topic] || []).slice().sort((a, b) => a - b);
      emit({ event: 'joined', member, partitions });
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        received.push([partition, Number(message.offset), message.key.toString(),
          message.value.toString()]);
        last.set(partition, Number(message.offset));
        if (received.length >= expected) finish();
      },
    });
    consumers.push(consumer);
    lastOffsets.push(last);
  }

  const timer = setTimeout(() => {
    process.stderr.write(`only ${received.length} of ${expected} records in time\n`);
    process.exit(2);
  }, deadlineMs);
  await allReceived;
  clearTimeout(timer);

  for (let member = 0; member < members; member += 1) {
    const offsets = [...lastOffsets[member]].map(([partition, offset]) => (
      { topic, partition, offset: String(offset + 1) }));
    if (offsets.length > 0) await consumers[member].commitOffsets(offsets);
  }
  for (const consumer of consumers) await consumer.disconnect();
  emit({ event: 'done', records: received });
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
