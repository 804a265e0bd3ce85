// Field types of heartbeat's ha_msg, with heartbeat's numeric codes (they appear on the wire as "(N)").
#pragma once

namespace hb {

enum class FieldType : int {
    string = 0,
    binary = 1,
    structure = 2,   // a nested message
    list = 3,        // an ordered list of non-empty strings
    compress = 4,    // compressed bytes that decode to a nested message
    uncompress = 5,  // a nested message to be compressed when sent
};

inline constexpr int kFieldTypeCount = 6;

inline bool is_nested(FieldType t) { return t == FieldType::structure || t == FieldType::uncompress; }

const char* field_type_name(FieldType t);

}  // namespace hb
