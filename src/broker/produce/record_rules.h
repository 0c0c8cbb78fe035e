#pragma once

// The per-record topic rules of the produce validation pass, shared by record batches
// (validator.cc) and up-converted legacy message sets (legacy_validator.cc): keys on compacted
// topics and the timestamp bounds (Kafka's LogValidator.validateKey / validateTimestamp).

#include <cstdint>

#include "broker/produce/policy.h"
#include "broker/produce/validator.h"

namespace eddy::broker {

// What the rules look at in one record.
struct RecordFacts {
  int32_t index = 0;  // within its batch, as Kafka reports it
  bool has_key = false;
  int64_t timestamp_ms = 0;
  // False for a legacy message without a timestamp (-1), which Kafka never bounds.
  bool timestamp_checked = true;
};

// Checks one record; a record that breaks a rule adds its detail to `out` (the first
// kMaxRecordErrors of them) and sets out.error, a timestamp error winning as in Kafka.
void check_record_rules(const RecordFacts& record, const ProducePolicy& policy, int64_t now_ms,
                        ValidatedRecords& out);

// Sets out.message from the rule errors collected (out.error must be set).
void describe_record_errors(ValidatedRecords& out);

}  // namespace eddy::broker
