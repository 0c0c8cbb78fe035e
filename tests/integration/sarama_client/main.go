// A small sarama client for the old-client integration tests (test_old_clients.py). It uses
// Debian's sarama (golang-github-shopify-sarama-dev 1.22) and is built by the test in GOPATH
// mode, offline. Each subcommand prints what the test compares; errors go to stderr with a
// non-zero exit.
//
//	produce -brokers B -topic T -version V -codec C -count N -base-ms MS
//	consume -brokers B -topic T -version V -partitions P -count N
//	commit  -brokers B -topic T -version V -group G -partition P -offset O
//	admin   -brokers B -topic T -version V -create NAME
package main

import (
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/Shopify/sarama"
)

func main() {
	if len(os.Args) < 2 {
		fail("usage: sarama_client produce|consume|commit|admin [flags]")
	}
	flags := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	brokers := flags.String("brokers", "127.0.0.1:9092", "bootstrap servers")
	topic := flags.String("topic", "", "topic")
	version := flags.String("version", "0.10.0.0", "Kafka version the client assumes")
	codec := flags.String("codec", "none", "none, gzip, snappy, lz4 or zstd")
	count := flags.Int("count", 100, "records to produce or consume")
	baseMs := flags.Int64("base-ms", 0, "timestamp of record 0 (record i gets base + i)")
	partitions := flags.Int("partitions", 1, "partitions to consume")
	group := flags.String("group", "", "consumer group for commit")
	partition := flags.Int("partition", 0, "partition for commit")
	offset := flags.Int64("offset", 0, "offset to commit")
	create := flags.String("create", "", "topic the admin subcommand creates and deletes")
	if err := flags.Parse(os.Args[2:]); err != nil {
		fail(err.Error())
	}
	config := sarama.NewConfig()
	parsed, err := sarama.ParseKafkaVersion(*version)
	check(err)
	config.Version = parsed
	config.ClientID = "eddy-sarama-test"
	addrs := strings.Split(*brokers, ",")
	switch os.Args[1] {
	case "produce":
		produce(addrs, config, *topic, *codec, *count, *baseMs)
	case "consume":
		consume(addrs, config, *topic, *partitions, *count)
	case "commit":
		commit(addrs, config, *topic, *group, int32(*partition), *offset)
	case "admin":
		admin(addrs, config, *topic, *create)
	default:
		fail("unknown subcommand " + os.Args[1])
	}
}

func codecNamed(name string) sarama.CompressionCodec {
	switch name {
	case "gzip":
		return sarama.CompressionGZIP
	case "snappy":
		return sarama.CompressionSnappy
	case "lz4":
		return sarama.CompressionLZ4
	case "zstd":
		return sarama.CompressionZSTD
	}
	return sarama.CompressionNone
}

// Keys, values and timestamps the test recomputes: key-<i>, a compressible value, base + i.
func produce(addrs []string, config *sarama.Config, topic, codec string, count int, baseMs int64) {
	config.Producer.RequiredAcks = sarama.WaitForAll
	config.Producer.Return.Successes = true
	config.Producer.Compression = codecNamed(codec)
	config.Producer.Partitioner = sarama.NewHashPartitioner
	producer, err := sarama.NewSyncProducer(addrs, config)
	check(err)
	defer producer.Close()
	messages := make([]*sarama.ProducerMessage, 0, count)
	for i := 0; i < count; i++ {
		messages = append(messages, &sarama.ProducerMessage{
			Topic:     topic,
			Key:       sarama.StringEncoder(fmt.Sprintf("key-%07d", i)),
			Value:     sarama.StringEncoder(fmt.Sprintf("value-%07d-", i) + strings.Repeat("abcdefghij", i%7+1)),
			Timestamp: time.Unix(0, (baseMs+int64(i))*int64(time.Millisecond)),
		})
	}
	check(producer.SendMessages(messages))
	fmt.Printf("produced %d\n", count)
}

// One line per record, sorted: partition, offset, timestamp (ms, 0 when the format has none),
// key and value in hex. Each partition is read from its oldest offset to the newest one
// ListOffsets reports (v0, "old style", for clients before 0.10.1).
func consume(addrs []string, config *sarama.Config, topic string, partitions, count int) {
	client, err := sarama.NewClient(addrs, config)
	check(err)
	defer client.Close()
	consumer, err := sarama.NewConsumerFromClient(client)
	check(err)
	defer consumer.Close()
	var lines []string
	deadline := time.After(60 * time.Second)
	for p := int32(0); p < int32(partitions); p++ {
		newest, err := client.GetOffset(topic, p, sarama.OffsetNewest)
		check(err)
		oldest, err := client.GetOffset(topic, p, sarama.OffsetOldest)
		check(err)
		if newest == oldest {
			continue
		}
		pc, err := consumer.ConsumePartition(topic, p, oldest)
		check(err)
		for last := oldest - 1; last+1 < newest; {
			select {
			case message := <-pc.Messages():
				lines = append(lines, line(message))
				last = message.Offset
			case consumeErr := <-pc.Errors():
				fail(consumeErr.Error())
			case <-deadline:
				fail(fmt.Sprintf("timed out with %d records", len(lines)))
			}
		}
		check(pc.Close())
	}
	if len(lines) != count {
		fail(fmt.Sprintf("read %d records, expected %d", len(lines), count))
	}
	sort.Strings(lines)
	for _, text := range lines {
		fmt.Println(text)
	}
}

func line(message *sarama.ConsumerMessage) string {
	timestampMs := int64(0)
	if !message.Timestamp.IsZero() {
		timestampMs = message.Timestamp.UnixNano() / int64(time.Millisecond)
	}
	return fmt.Sprintf("%d\t%d\t%d\t%s\t%s", message.Partition, message.Offset, timestampMs,
		hex.EncodeToString(message.Key), hex.EncodeToString(message.Value))
}

// Commits one offset as a simple (group-less) consumer, then reads it back.
func commit(addrs []string, config *sarama.Config, topic, group string, partition int32, offset int64) {
	client, err := sarama.NewClient(addrs, config)
	check(err)
	defer client.Close()
	manager, err := sarama.NewOffsetManagerFromClient(group, client)
	check(err)
	pom, err := manager.ManagePartition(topic, partition)
	check(err)
	pom.MarkOffset(offset, "sarama")
	check(pom.Close())
	check(manager.Close())

	reread, err := sarama.NewOffsetManagerFromClient(group, client)
	check(err)
	pom, err = reread.ManagePartition(topic, partition)
	check(err)
	next, metadata := pom.NextOffset()
	check(pom.Close())
	check(reread.Close())
	fmt.Printf("committed %d %s\n", next, metadata)
}

// CreateTopic, ListTopics, DescribeConfig (DescribeConfigs v0 in this sarama) and DeleteTopic.
func admin(addrs []string, config *sarama.Config, topic, create string) {
	cluster, err := sarama.NewClusterAdmin(addrs, config)
	check(err)
	defer cluster.Close()
	check(cluster.CreateTopic(create, &sarama.TopicDetail{NumPartitions: 2, ReplicationFactor: 1}, false))
	topics, err := cluster.ListTopics()
	check(err)
	detail, found := topics[create]
	if !found {
		fail("created topic not listed")
	}
	fmt.Printf("listed %s %d\n", create, detail.NumPartitions)
	entries, err := cluster.DescribeConfig(sarama.ConfigResource{Type: sarama.TopicResource, Name: topic})
	check(err)
	for _, entry := range entries {
		if entry.Name == "cleanup.policy" || entry.Name == "retention.ms" {
			fmt.Printf("config %s=%s default=%t\n", entry.Name, entry.Value, entry.Default)
		}
	}
	check(cluster.DeleteTopic(create))
	fmt.Printf("deleted %s\n", create)
}

func check(err error) {
	if err != nil {
		fail(err.Error())
	}
}

func fail(message string) {
	fmt.Fprintln(os.Stderr, message)
	os.Exit(1)
}
