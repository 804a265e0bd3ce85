/* A plain C client of the ha_msg API, built with -I include/heartbeat and linked with -lhbclient
   only: proves the header is self-contained C and the library exports what it declares. */
#include <ha_msg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                    \
    do {                                                               \
        if (!(cond)) {                                                 \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            return 1;                                                  \
        }                                                              \
    } while (0)

int main(void) {
    struct ha_msg* m = ha_msg_new(0);
    struct ha_msg* child = ha_msg_new(0);
    char* text;
    size_t len = 0;
    char* wire;
    struct ha_msg* back;
    CHECK(m && child);
    CHECK(ha_msg_add(m, F_TYPE, "ping") == HA_OK);
    CHECK(ha_msg_add(child, "k", "v") == HA_OK);
    CHECK(ha_msg_addstruct(m, "c", child) == HA_OK);
    CHECK(m->nfields == 2 && m->types[1] == FT_STRUCT);
    text = msg2string(m);
    CHECK(text && strncmp(text, ">>>\n", 4) == 0);
    wire = msg2wirefmt(m, &len);
    CHECK(wire && len > 8 && memcmp(wire, "###\n", 4) == 0);
    back = wirefmt2msg(wire, len, 0);
    CHECK(back && strcmp(ha_msg_value(cl_get_struct(back, "c"), "k"), "v") == 0);
    ha_msg_dump(back, stdout);
    free(text);
    free(wire);
    ha_msg_del(back);
    ha_msg_del(child);
    ha_msg_del(m);
    printf("C client ok\n");
    return 0;
}
