/* Golden vectors for the ha_msg codecs, produced by heartbeat's own libplumb (Debian
 * cluster-glue). Prints one JSON document (every byte string as hex) to stdout; build.sh writes it
 * to tests/data/msg_golden.json. The unit tests read that file and do not need libplumb. */
#include <ha_msg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int first_entry = 1;

static void hex(const void* p, size_t n) {
    const unsigned char* b = p;
    putchar('"');
    for (size_t i = 0; i < n; ++i) printf("%02x", b[i]);
    putchar('"');
}

static void dump_fields(const struct ha_msg* m) {
    putchar('[');
    for (int i = 0; i < m->nfields; ++i) {
        if (i) putchar(',');
        printf("{\"name_hex\":");
        hex(m->names[i], m->nlens[i]);
        printf(",\"type\":%d,", m->types[i]);
        switch (m->types[i]) {
            case FT_STRUCT:
            case FT_UNCOMPRESS:
                printf("\"fields\":");
                dump_fields((const struct ha_msg*)m->values[i]);
                break;
            case FT_LIST: {
                int n = cl_msg_list_length((struct ha_msg*)m, m->names[i]);
                printf("\"list_hex\":[");
                for (int j = 0; j < n; ++j) {
                    const char* item = cl_msg_list_nth_data((struct ha_msg*)m, m->names[i], j);
                    if (j) putchar(',');
                    hex(item, strlen(item));
                }
                putchar(']');
                break;
            }
            default:
                printf("\"value_hex\":");
                hex(m->values[i], m->vlens[i]);
        }
        putchar('}');
    }
    putchar(']');
}

static void begin(const char* section) {
    printf("%s\n  \"%s\": [\n", first_entry ? "{\n  \"source\": \"libplumb from Debian cluster-glue 1.0.12\"," : "\n  ],", section);
    first_entry = 0;
}

static int n_encode = 0, n_decode = 0;

static void encode_case(const char* name, struct ha_msg* m) {
    size_t wlen = 0;
    char* text = msg2string(m);
    char* wire = msg2wirefmt(m, &wlen);
    printf("%s    {\"name\":\"%s\",\"fields\":", n_encode++ ? ",\n" : "", name);
    dump_fields(m);
    printf(",\"text_hex\":");
    if (text) hex(text, strlen(text)); else printf("\"\"");
    printf(",\"text_len\":%d", text ? (int)strlen(text) : -1);
    /* Without an authentication method libplumb's msg2wirefmt writes the netstring form without
       a trailer: that is the netstring vector. */
    printf(",\"netstring_hex\":");
    if (wire) hex(wire, wlen); else printf("\"\"");
    printf(",\"wirefmt_hex\":");
    if (wire) hex(wire, wlen); else printf("\"\"");
    printf(",\"wirefmt_len\":%d,\"get_stringlen\":%d,\"get_netstringlen\":%d}", wire ? (int)wlen : -1,
           get_stringlen(m), get_netstringlen(m));
    free(text);
    free(wire);
    ha_msg_del(m);
}

/* libplumb keeps a field whose base64 does not decode, with a length of (size_t)-1. */
static int has_broken_length(const struct ha_msg* m) {
    for (int i = 0; i < m->nfields; ++i) {
        if (m->vlens[i] > (1u << 24)) return 1;
        if ((m->types[i] == FT_STRUCT || m->types[i] == FT_UNCOMPRESS) &&
            has_broken_length((const struct ha_msg*)m->values[i])) return 1;
    }
    return 0;
}

static void decode_case(const char* name, const char* via, const char* input, size_t len) {
    struct ha_msg* m = strcmp(via, "string2msg") == 0 ? string2msg(input, len) : wirefmt2msg(input, len, 0);
    printf("%s    {\"name\":\"%s\",\"via\":\"%s\",\"input_hex\":", n_decode++ ? ",\n" : "", name, via);
    hex(input, len);
    if (m && has_broken_length(m)) {
        printf(",\"ok\":false,\"note\":\"libplumb accepts this with a field length of -1\"}");
        ha_msg_del(m);
        return;
    }
    printf(",\"ok\":%s", m ? "true" : "false");
    if (m) {
        printf(",\"fields\":");
        dump_fields(m);
        ha_msg_del(m);
    }
    putchar('}');
}

static struct ha_msg* msg(const char* first_name, const char* first_value) {
    struct ha_msg* m = ha_msg_new(0);
    if (first_name) ha_msg_add(m, first_name, first_value);
    return m;
}

static const unsigned char kUuid[16] = {0x15, 0x16, 0x4a, 0xc2, 0xf6, 0xe6, 0x41, 0x67,
                                        0x88, 0x27, 0x66, 0x01, 0x8c, 0xdf, 0x2a, 0x8e};

static struct ha_msg* status_msg(void) {
    struct ha_msg* m = msg(F_TYPE, T_STATUS);
    ha_msg_add(m, F_STATUS, "up");
    ha_msg_add(m, F_DT, "1770");
    ha_msg_add(m, F_PROTOCOL, "1");
    ha_msg_add(m, F_ORIG, "spa");
    ha_msg_addbin(m, F_ORIGUUID, kUuid, sizeof kUuid);
    ha_msg_add(m, F_SEQ, "4");
    ha_msg_add(m, F_HBGENERATION, "6b05c21d");
    ha_msg_add(m, F_TIME, "6b05c21d");
    ha_msg_add(m, F_LOAD, "0.00 0.06 0.31 1/111 32294");
    ha_msg_add(m, F_TTL, "3");
    ha_msg_add(m, F_AUTH, "1 e2738a2a1fb1a815a150b2493bf5a300eebedc29");
    return m;
}

static void encodes(void) {
    struct ha_msg *m, *c, *c2;
    begin("encode");
    encode_case("one_string", msg("t", "ping"));
    encode_case("status", status_msg());

    m = msg(F_TYPE, T_APIREQ);
    ha_msg_add(m, F_APIREQ, "signon");
    ha_msg_add(m, F_TO, "alpha");
    ha_msg_add(m, F_PID, "7566");
    ha_msg_add(m, F_FROMID, "7566");
    ha_msg_add(m, F_UID, "0");
    ha_msg_add(m, F_GID, "105");
    encode_case("api_signon", m);

    m = msg(F_TYPE, T_APIRESP);
    ha_msg_add(m, F_APIREQ, "signon");
    ha_msg_add(m, F_APIRESULT, "OK");
    ha_msg_add(m, F_DEADTIME, "bb8");
    ha_msg_add(m, F_KEEPALIVE, "3e8");
    ha_msg_add(m, "node", "alpha");
    ha_msg_add(m, "hbversion", "3.0.6 (node: 958e11be8686759f1b99204c17812f2c2633b169)");
    encode_case("api_signon_reply", m);

    encode_case("newline_in_value", msg("val", "line1\nline2"));
    encode_case("symbol13_in_value", msg("val", "a\x13" "b"));
    encode_case("control_bytes", msg("val", "\x01\x14\x1f\x7f\xff"));
    encode_case("equals_in_value", msg("k", "a=b=c"));
    encode_case("empty_value", msg("e", ""));
    m = msg(NULL, NULL);
    {
        char big[5001];
        memset(big, 'x', 5000);
        big[5000] = 0;
        ha_msg_add(m, "big", big);
    }
    encode_case("long_value_5000", m);

    for (size_t n = 0; n <= 3; ++n) {
        char name[32];
        unsigned char bytes[3] = {0x00, 0xff, 0x0a};
        m = msg("t", "bin");
        ha_msg_addbin(m, "b", bytes, n);
        snprintf(name, sizeof name, "binary_%zu", n);
        encode_case(name, m);
    }
    m = msg(NULL, NULL);
    ha_msg_addbin(m, "uuid", kUuid, 16);
    encode_case("binary_16", m);
    m = msg(NULL, NULL);
    {
        unsigned char b[100];
        for (int i = 0; i < 100; ++i) b[i] = (unsigned char)(i * 37);
        ha_msg_addbin(m, "b100", b, 100);
    }
    encode_case("binary_100", m);

    m = msg("x", "1");
    ha_msg_add(m, "x", "2");
    ha_msg_add(m, "y", "3");
    encode_case("duplicate_names", m);

    m = msg("a", "1");
    ha_msg_add(m, "b", "2");
    ha_msg_mod(m, "a", "changed");
    ha_msg_mod(m, "c", "appended");
    encode_case("mod_in_place_and_append", m);

    m = msg("a", "1");
    ha_msg_add(m, "b", "2");
    ha_msg_add(m, "a", "3");
    cl_msg_remove(m, "a");
    encode_case("remove_first", m);

    m = msg(NULL, NULL);
    ha_msg_add_int(m, "neg", -42);
    ha_msg_add_int(m, "zero", 0);
    ha_msg_add_ul(m, "big", 4000000000UL);
    encode_case("integers", m);

    c = msg("k", "v");
    m = msg("t", "outer");
    ha_msg_addstruct(m, "child", c);
    encode_case("struct_depth1", m);

    c2 = msg("leaf", "x\ny");
    ha_msg_addstruct(c, "inner", c2);
    m = msg("t", "outer");
    ha_msg_addstruct(m, "child", c);
    encode_case("struct_depth2", m);

    {
        struct ha_msg* c3 = msg("deep", "1");
        struct ha_msg* c4 = msg("mid", "2");
        struct ha_msg* c5 = msg("top", "3");
        ha_msg_addstruct(c4, "s", c3);
        ha_msg_addstruct(c5, "s", c4);
        m = msg(NULL, NULL);
        ha_msg_addstruct(m, "s", c5);
        encode_case("struct_depth3", m);
        ha_msg_del(c3);
        ha_msg_del(c4);
        ha_msg_del(c5);
    }
    ha_msg_del(c);
    ha_msg_del(c2);

    c = msg(NULL, NULL);
    ha_msg_addbin(c, "uuid", kUuid, 16);
    m = msg("t", "x");
    ha_msg_addstruct(m, "withbin", c);
    encode_case("struct_with_binary", m);
    ha_msg_del(c);

    m = msg(NULL, NULL);
    cl_msg_list_add_string(m, "l", "only");
    encode_case("list_1", m);
    m = msg("t", "lists");
    cl_msg_list_add_string(m, "l", "a,b");
    cl_msg_list_add_string(m, "l", "1:2");
    cl_msg_list_add_string(m, "l", "123456789012");
    encode_case("list_3", m);

    c = msg("k", "v");
    m = msg("t", "mixed");
    cl_msg_list_add_string(m, "l", "x");
    ha_msg_addstruct(m, "c", c);
    ha_msg_add(m, "after", "y");
    encode_case("list_and_struct", m);
    ha_msg_del(c);

    m = msg(NULL, NULL);
    for (int i = 0; i < 200; ++i) {
        char n[16], v[16];
        snprintf(n, sizeof n, "f%d", i);
        snprintf(v, sizeof v, "%d", i * i);
        ha_msg_add(m, n, v);
    }
    encode_case("many_fields", m);
}

static void decode_both(const char* name, const char* input, size_t len) {
    char n[96];
    snprintf(n, sizeof n, "%s/string2msg", name);
    decode_case(n, "string2msg", input, len);
    snprintf(n, sizeof n, "%s/wirefmt2msg", name);
    decode_case(n, "wirefmt2msg", input, len);
}

static void decode_file(const char* name, const char* path) {
    FILE* f = fopen(path, "rb");
    char buf[4096];
    size_t n;
    if (!f) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(1);
    }
    n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    decode_both(name, buf, n);
}

#define S(lit) lit, sizeof(lit) - 1

static void decodes(const char* captures) {
    struct ha_msg* m;
    char* s;
    size_t len;
    begin("decode");
    /* What heartbeat writes, fed back. */
    m = status_msg();
    s = msg2string(m);
    decode_both("status_text", s, strlen(s));
    free(s);
    s = msg2wirefmt(m, &len);
    decode_both("status_netstring", s, len);
    free(s);
    ha_msg_del(m);
    {
        struct ha_msg* c = msg("k", "v\nw");
        cl_msg_list_add_string(c, "l", "p");
        m = msg("t", "nested");
        ha_msg_addstruct(m, "c", c);
        s = msg2string(m);
        decode_both("struct_text", s, strlen(s));
        free(s);
        s = msg2wirefmt(m, &len);
        decode_both("struct_netstring", s, len);
        free(s);
        ha_msg_del(m);
        ha_msg_del(c);
    }
    /* Edge cases of the text parser. */
    decode_both("blank_lines", S(">>>\n\n\na=1\n\nb=2\n\n<<<\n"));
    decode_both("no_end_marker", S(">>>\na=1\n"));
    decode_both("no_start_marker", S("a=1\n<<<\n"));
    decode_both("line_without_equals", S(">>>\nabc\n<<<\n"));
    decode_both("empty_name", S(">>>\n=v\n<<<\n"));
    decode_both("empty_value", S(">>>\na=\n<<<\n"));
    decode_both("bad_base64", S(">>>\n(1)b=!!!!\n<<<\n"));
    decode_both("base64_bad_length", S(">>>\n(1)b=QUJD=\n<<<\n"));
    decode_both("type_9", S(">>>\n(9)x=1\n<<<\n"));
    decode_both("type_0_marker", S(">>>\n(0)x=1\n<<<\n"));
    decode_both("paren_not_marker", S(">>>\n(abc=1\n<<<\n"));
    decode_both("carriage_return", S(">>>\na=1\r\n<<<\n"));
    decode_both("garbage_after_end", S(">>>\na=1\n<<<\ngarbage"));
    decode_both("nul_after_end", ">>>\na=1\n<<<\n\0", 13);
    decode_both("symbol13", S(">>>\na=x\x13y\n<<<\n"));
    decode_both("list_field", S(">>>\n(3)l=3:abc,1:d,\n<<<\n"));
    decode_both("list_zero_length", S(">>>\n(3)l=0:,\n<<<\n"));
    decode_both("struct_field", S(">>>\n(2)c=>>>\x14k=v\x14<<<\x14\n<<<\n"));
    decode_both("empty_message_text", S(">>>\n<<<\n"));
    /* Edge cases of the netstring parser. */
    decode_both("ns_ok", S("###\n7:(0)a=12,%%%\n"));
    decode_both("ns_wrong_length", S("###\n8:(0)a=12,%%%\n"));
    decode_both("ns_leading_zero", S("###\n07:(0)a=12,%%%\n"));
    decode_both("ns_missing_comma", S("###\n7:(0)a=12;%%%\n"));
    decode_both("ns_missing_end", S("###\n7:(0)a=12,"));
    decode_both("ns_empty", S("###\n%%%\n"));
    decode_both("ns_with_trailer", S("###\n7:(0)a=12,%%%\n42:1 0123456789012345678901234567890123456789,"));
    decode_both("ns_binary_raw", "###\n7:(1)b=\0\xff,%%%\n", 18);
    decode_both("ns_list", S("###\n15:(3)l=3:abc,1:d,,%%%\n"));
    /* A type digit of 6-9 crashes libplumb (it indexes past its type table): not a vector. */
    decode_both("ns_nested", S("###\n23:(2)c=###\n7:(0)k=v1,%%%\n,%%%\n"));
    decode_file("udp_packet_1", "udp-packet-1.bin");
    decode_file("udp_packet_2", "udp-packet-2.bin");
    decode_file("udp_packet_3", "udp-packet-3.bin");
    decode_file("udp_packet_4", "udp-packet-4.bin");
    (void)captures;
}

int main(int argc, char** argv) {
    /* libplumb logs format errors; keep stdout for the JSON only. */
    cl_log_enable_stderr(0);
    cl_log_set_entity("gen_msg_vectors");
    if (argc > 1 && chdir(argv[1]) != 0) return 1;
    encodes();
    decodes(argc > 1 ? argv[1] : ".");
    printf("\n  ]\n}\n");
    return 0;
}
