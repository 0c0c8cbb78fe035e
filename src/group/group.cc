#include "group/group.h"

#include <algorithm>

#include "protocol/reader.h"

namespace eddy::group {
namespace {

std::set<std::string> candidate_protocols(const Group& group) {
  std::set<std::string> candidates;
  bool first = true;
  for (const auto& [id, member] : group.members) {
    std::set<std::string> names;
    for (const Protocol& protocol : member.protocols) names.insert(protocol.name);
    if (first) {
      candidates = std::move(names);
      first = false;
      continue;
    }
    std::set<std::string> both;
    std::set_intersection(candidates.begin(), candidates.end(), names.begin(), names.end(),
                          std::inserter(both, both.begin()));
    candidates = std::move(both);
  }
  return candidates;
}

// ConsumerProtocolSubscription (every version starts the same way): version int16, then the
// topics as an int32-counted array of int16-length strings.
bool read_subscription_topics(const std::vector<uint8_t>& metadata, std::set<std::string>& out) {
  protocol::Reader reader(metadata.data(), metadata.size());
  const int16_t version = reader.read_int16();
  if (version < 0) return false;
  const int32_t count = reader.read_array_length(false, false, 2);
  for (int32_t i = 0; i < count && reader.ok(); ++i) out.insert(reader.read_string(false));
  return reader.ok();
}

}  // namespace

const char* state_name(GroupState state) {
  switch (state) {
    case GroupState::kEmpty:
      return "Empty";
    case GroupState::kPreparingRebalance:
      return "PreparingRebalance";
    case GroupState::kCompletingRebalance:
      return "CompletingRebalance";
    case GroupState::kStable:
      return "Stable";
    case GroupState::kDead:
      return "Dead";
  }
  return "Dead";
}

const Protocol* Member::find_protocol(const std::string& name) const {
  for (const Protocol& protocol : protocols) {
    if (protocol.name == name) return &protocol;
  }
  return nullptr;
}

size_t Member::protocol_bytes() const {
  size_t bytes = 0;
  for (const Protocol& protocol : protocols)
    bytes += protocol.name.size() + protocol.metadata.size();
  return bytes;
}

bool Member::same_protocols(const std::vector<Protocol>& other) const {
  if (other.size() != protocols.size()) return false;
  for (size_t i = 0; i < other.size(); ++i) {
    if (other[i].name != protocols[i].name || other[i].metadata != protocols[i].metadata) {
      return false;
    }
  }
  return true;
}

bool Group::all_members_joined() const {
  return pending_members.empty() && awaiting_join_count() == members.size();
}

size_t Group::awaiting_join_count() const {
  size_t count = 0;
  for (const auto& [member_id, member] : members) count += member.awaiting_join ? 1 : 0;
  return count;
}

int32_t Group::max_rebalance_timeout_ms() const {
  int32_t timeout = 0;
  for (const auto& [member_id, member] : members)
    timeout = std::max(timeout, member.rebalance_timeout_ms);
  return timeout;
}

bool Group::supports_protocols(const std::string& type,
                               const std::vector<Protocol>& protocols) const {
  if (members.empty()) return !type.empty() && !protocols.empty();
  if (type != protocol_type) return false;
  const std::set<std::string> candidates = candidate_protocols(*this);
  return std::any_of(protocols.begin(), protocols.end(),
                     [&](const Protocol& p) { return candidates.contains(p.name); });
}

std::string Group::select_protocol() const {
  const std::set<std::string> candidates = candidate_protocols(*this);
  std::map<std::string, int> votes;
  for (const auto& [member_id, member] : members) {
    for (const Protocol& protocol : member.protocols) {
      if (!candidates.contains(protocol.name)) continue;
      ++votes[protocol.name];
      break;
    }
  }
  std::string chosen;
  int best = -1;
  for (const auto& [name, count] : votes) {
    if (count > best) {
      best = count;
      chosen = name;
    }
  }
  return chosen;
}

std::optional<std::set<std::string>> Group::subscribed_topics() const {
  if (protocol_type != "consumer" || !protocol_name) return std::nullopt;
  std::set<std::string> topics;
  for (const auto& [member_id, member] : members) {
    const Protocol* protocol = member.find_protocol(*protocol_name);
    if (protocol == nullptr || !read_subscription_topics(protocol->metadata, topics)) {
      return std::nullopt;
    }
  }
  return topics;
}

GroupValue Group::to_value() const {
  GroupValue value;
  value.protocol_type = protocol_type;
  value.generation = generation;
  value.protocol = protocol_name;
  value.leader = leader_id;
  value.current_state_timestamp_ms = state_timestamp_ms;
  for (const auto& [member_id, member] : members) {
    MemberValue out;
    out.member_id = member.member_id;
    out.group_instance_id = member.group_instance_id;
    out.client_id = member.client_id;
    out.client_host = member.client_host;
    out.rebalance_timeout_ms = member.rebalance_timeout_ms;
    out.session_timeout_ms = member.session_timeout_ms;
    if (protocol_name) {
      const Protocol* protocol = member.find_protocol(*protocol_name);
      if (protocol != nullptr) out.subscription = protocol->metadata;
    }
    out.assignment = member.assignment;
    value.members.push_back(std::move(out));
  }
  return value;
}

}  // namespace eddy::group

namespace eddy::group {
namespace {

// Sizes in GroupMetadataValue v3's layout (consumer_offsets_records.h): int16-length strings,
// int32-length bytes, nullable strings as -1 when absent.
constexpr size_t kStringBytes = 2;
constexpr size_t kBytesBytes = 4;

size_t string_bytes(const std::string& text) {
  return kStringBytes + text.size();
}

size_t nullable_string_bytes(const std::optional<std::string>& text) {
  return text ? string_bytes(*text) : kStringBytes;
}

}  // namespace

size_t Group::record_value_bytes() const {
  // version, protocol type, generation, protocol, leader, state timestamp, member count
  size_t bytes = 2 + string_bytes(protocol_type) + 4 + nullable_string_bytes(protocol_name) +
                 nullable_string_bytes(leader_id) + 8 + 4;
  for (const auto& [member_id, member] : members) {
    bytes += string_bytes(member.member_id) + nullable_string_bytes(member.group_instance_id) +
             string_bytes(member.client_id) + string_bytes(member.client_host) + 4 + 4;
    const Protocol* chosen = protocol_name ? member.find_protocol(*protocol_name) : nullptr;
    bytes += kBytesBytes + (chosen != nullptr ? chosen->metadata.size() : 0);
    bytes += kBytesBytes + member.assignment.size();
  }
  return bytes;
}

void release(std::vector<uint8_t>& bytes) {
  std::vector<uint8_t>().swap(bytes);
}

}  // namespace eddy::group
