#pragma once

// Start-up recovery of segment swaps that a crash interrupted (docs/storage-format.md,
// "Compaction", "Swapping segments"): a `<base>.log.swap` means the swap was committed, so it
// is completed; `.cleaned` files and index `.swap` files without their `.log.swap` are
// leftovers and go.

#include <filesystem>

namespace eddy::storage {

// Runs before the partition's segments are listed. False on an I/O error (logged).
bool complete_interrupted_swaps(const std::filesystem::path& dir);

}  // namespace eddy::storage
