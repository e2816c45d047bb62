/*
 * Drives the Apache Kafka Java client against a broker and prints one JSON summary on stdout.
 *
 *   java -cp <kafka-clients jars>:<dir> SamsaClientCheck BOOTSTRAP TOPIC RECORDS GROUP_PREFIX
 *
 * Steps: AdminClient creates TOPIC (3 partitions) and describes the cluster; a KafkaProducer with
 * the Java defaults (acks=all, idempotence on) sends RECORDS keyed records with headers; two
 * KafkaConsumers read them all and commit, one in a group with group.protocol=classic, one with
 * group.protocol=consumer (KIP-848); the admin client then reads the committed offsets back and
 * lists and describes the groups. A failing step is recorded under "errors" and the run goes on, so
 * that the test shows every problem at once. Exit code 0 unless the arguments are wrong.
 */
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public final class SamsaClientCheck {
  private static final Duration CONSUME_DEADLINE = Duration.ofSeconds(40);
  private static final List<String> errors = new ArrayList<>();

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: SamsaClientCheck BOOTSTRAP TOPIC RECORDS GROUP_PREFIX");
      System.exit(2);
    }
    String bootstrap = args[0];
    String topic = args[1];
    int records = Integer.parseInt(args[2]);
    String groupPrefix = args[3];

    Json out = new Json().beginObject();
    try (Admin admin = Admin.create(adminProps(bootstrap))) {
      out.key("cluster");
      describeCluster(admin, out);
      out.key("topic");
      createTopic(admin, topic, out);

      out.key("produced").beginArray();
      produce(bootstrap, topic, records, out);
      out.endArray();

      out.key("groups").beginObject();
      for (String protocol : new String[] {"classic", "consumer"}) {
        String groupId = groupPrefix + "-" + protocol;
        out.key(protocol).beginObject().key("groupId").value(groupId);
        consume(bootstrap, topic, records, groupId, protocol, out);
        adminOffsets(admin, groupId, out);
        describeGroup(admin, groupId, out);
        out.endObject();
      }
      out.endObject();

      out.key("listedGroups").beginArray();
      try {
        Collection<GroupListing> listed = admin.listGroups().all().get(20, TimeUnit.SECONDS);
        for (GroupListing group : listed) {
          out.beginObject()
              .key("groupId").value(group.groupId())
              .key("type").value(group.type().map(Object::toString).orElse(null))
              .key("protocol").value(group.protocol())
              .key("state").value(group.groupState().map(Object::toString).orElse(null))
              .endObject();
        }
      } catch (Exception e) {
        error("listGroups", e);
      }
      out.endArray();
    } catch (Exception e) {
      error("admin", e);
    }
    out.key("errors").beginArray();
    for (String e : errors) out.value(e);
    out.endArray().endObject();
    System.out.println(out);
    System.out.flush();
    // Client threads that failed to stop must not keep the JVM alive.
    System.exit(0);
  }

  private static Properties adminProps(String bootstrap) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "samsa-check-admin");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20000);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15000);
    return props;
  }

  private static void describeCluster(Admin admin, Json out) {
    out.beginObject();
    try {
      DescribeClusterResult cluster = admin.describeCluster();
      out.key("clusterId").value(cluster.clusterId().get(20, TimeUnit.SECONDS));
      Node controller = cluster.controller().get(20, TimeUnit.SECONDS);
      out.key("controller").value(controller == null ? -1 : controller.id());
      out.key("nodes").beginArray();
      for (Node node : cluster.nodes().get(20, TimeUnit.SECONDS)) {
        out.beginObject().key("id").value(node.id()).key("host").value(node.host())
            .key("port").value(node.port()).endObject();
      }
      out.endArray();
    } catch (Exception e) {
      error("describeCluster", e);
    }
    out.endObject();
  }

  private static void createTopic(Admin admin, String topic, Json out) {
    out.beginObject().key("name").value(topic);
    try {
      admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(20, TimeUnit.SECONDS);
      TopicDescription description =
          admin.describeTopics(List.of(topic)).allTopicNames().get(20, TimeUnit.SECONDS).get(topic);
      out.key("partitions").value(description.partitions().size());
      out.key("topicId").value(description.topicId().toString());
    } catch (Exception e) {
      error("createTopic", e);
    }
    out.endObject();
  }

  /** Java defaults: acks=all, enable.idempotence=true, so the producer asks for a producer id. */
  private static void produce(String bootstrap, String topic, int records, Json out) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "samsa-check-producer");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15000);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (int i = 0; i < records; i++) {
        ProducerRecord<String, String> record =
            new ProducerRecord<>(topic, "key-" + i, "value-" + i + "-" + "x".repeat(i % 17));
        record.headers().add("index", Integer.toString(i).getBytes(StandardCharsets.UTF_8));
        record.headers().add("binary", new byte[] {0, (byte) i, (byte) 0xff});
        sent.add(producer.send(record));
      }
      producer.flush();
      for (int i = 0; i < records; i++) {
        RecordMetadata metadata = sent.get(i).get(30, TimeUnit.SECONDS);
        out.beginObject().key("key").value("key-" + i)
            .key("value").value("value-" + i + "-" + "x".repeat(i % 17))
            .key("headers").beginArray()
            .beginArray().value("index").value(b64(Integer.toString(i).getBytes(StandardCharsets.UTF_8))).endArray()
            .beginArray().value("binary").value(b64(new byte[] {0, (byte) i, (byte) 0xff})).endArray()
            .endArray()
            .key("partition").value(metadata.partition())
            .key("offset").value(metadata.offset())
            .endObject();
      }
    } catch (Exception e) {
      error("produce", e);
    }
  }

  private static void consume(String bootstrap, String topic, int records, String groupId, String protocol, Json out) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "samsa-check-" + protocol);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20000);
    out.key("consumed").beginArray();
    Map<Integer, Long> committed = new TreeMap<>();
    Set<TopicPartition> assignment = Set.of();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(topic));
      int seen = 0;
      long deadline = System.nanoTime() + CONSUME_DEADLINE.toNanos();
      while (seen < records && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
          seen++;
          out.beginObject().key("key").value(record.key()).key("value").value(record.value()).key("headers").beginArray();
          for (Header header : record.headers()) out.beginArray().value(header.key()).value(b64(header.value())).endArray();
          out.endArray().key("partition").value(record.partition()).key("offset").value(record.offset()).endObject();
        }
      }
      if (seen < records) errors.add(protocol + ": consumed " + seen + " of " + records + " records before the deadline");
      assignment = consumer.assignment();
      consumer.commitSync(Duration.ofSeconds(20));
      Map<TopicPartition, OffsetAndMetadata> fetched = consumer.committed(assignment, Duration.ofSeconds(20));
      for (Map.Entry<TopicPartition, OffsetAndMetadata> entry : fetched.entrySet()) {
        if (entry.getValue() != null) committed.put(entry.getKey().partition(), entry.getValue().offset());
      }
    } catch (Exception e) {
      error("consume " + protocol, e);
    }
    out.endArray();
    out.key("assignment").beginArray();
    for (TopicPartition partition : assignment) out.value(partition.partition());
    out.endArray();
    out.key("committedByConsumer");
    offsetsJson(committed, out);
  }

  private static void adminOffsets(Admin admin, String groupId, Json out) {
    Map<Integer, Long> offsets = new TreeMap<>();
    try {
      Map<TopicPartition, OffsetAndMetadata> listed =
          admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get(20, TimeUnit.SECONDS);
      for (Map.Entry<TopicPartition, OffsetAndMetadata> entry : listed.entrySet()) {
        if (entry.getValue() != null) offsets.put(entry.getKey().partition(), entry.getValue().offset());
      }
    } catch (Exception e) {
      error("listConsumerGroupOffsets " + groupId, e);
    }
    out.key("committedByAdmin");
    offsetsJson(offsets, out);
  }

  private static void describeGroup(Admin admin, String groupId, Json out) {
    out.key("described").beginObject();
    try {
      ConsumerGroupDescription description =
          admin.describeConsumerGroups(List.of(groupId)).describedGroups().get(groupId).get(20, TimeUnit.SECONDS);
      out.key("state").value(description.groupState().toString())
          .key("type").value(description.type().toString())
          .key("members").value(description.members().size());
      int assigned = 0;
      for (MemberDescription member : description.members()) assigned += member.assignment().topicPartitions().size();
      out.key("assignedPartitions").value(assigned);
    } catch (Exception e) {
      error("describeConsumerGroups " + groupId, e);
    }
    out.endObject();
  }

  private static void offsetsJson(Map<Integer, Long> offsets, Json out) {
    out.beginObject();
    for (Map.Entry<Integer, Long> entry : offsets.entrySet()) out.key(entry.getKey().toString()).value(entry.getValue());
    out.endObject();
  }

  private static String b64(byte[] bytes) {
    return bytes == null ? null : Base64.getEncoder().encodeToString(bytes);
  }

  private static void error(String step, Exception e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause != cause.getCause()) cause = cause.getCause();
    errors.add(step + ": " + cause.getClass().getSimpleName() + ": " + cause.getMessage());
  }

  /** A minimal streaming JSON writer (commas handled by a stack of "first element" flags). */
  private static final class Json {
    private final StringBuilder text = new StringBuilder();
    private final ArrayList<Boolean> first = new ArrayList<>();
    private boolean afterKey;

    Json beginObject() { separate(); text.append('{'); first.add(true); return this; }
    Json endObject() { text.append('}'); first.remove(first.size() - 1); return this; }
    Json beginArray() { separate(); text.append('['); first.add(true); return this; }
    Json endArray() { text.append(']'); first.remove(first.size() - 1); return this; }

    Json key(String key) {
      separate();
      string(key);
      text.append(':');
      afterKey = true;
      return this;
    }

    Json value(String value) { separate(); if (value == null) text.append("null"); else string(value); return this; }
    Json value(long value) { separate(); text.append(value); return this; }

    private void separate() {
      if (afterKey) { afterKey = false; return; }
      if (first.isEmpty()) return;
      int top = first.size() - 1;
      if (first.get(top)) first.set(top, false);
      else text.append(',');
    }

    private void string(String value) {
      text.append('"');
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        switch (c) {
          case '"' -> text.append("\\\"");
          case '\\' -> text.append("\\\\");
          case '\n' -> text.append("\\n");
          case '\r' -> text.append("\\r");
          case '\t' -> text.append("\\t");
          default -> {
            if (c < 0x20) text.append(String.format("\\u%04x", (int) c));
            else text.append(c);
          }
        }
      }
      text.append('"');
    }

    @Override
    public String toString() { return text.toString(); }
  }
}
