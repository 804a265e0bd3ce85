/*
 * ha_msg.h: heartbeat's message object, for C and C++ clients.
 *
 * Source-compatible with the ha_msg.h of heartbeat 3.0 / cluster-glue for the calls listed below,
 * self-contained (no glib, no clplumbing). Link with -lhbclient.
 *
 * A message is an ordered list of named, typed fields. C code may read the public arrays of
 * struct ha_msg directly, as heartbeat clients do; they are kept in step with the message by every
 * call here, and must not be written to. For FT_LIST fields values[i] points to a NULL-terminated
 * array of the list's strings (heartbeat had a GList* there); use cl_msg_list_nth_data instead.
 */
#ifndef HEARTBEAT_HA_MSG_H
#define HEARTBEAT_HA_MSG_H 1

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef HA_OK
#define HA_FAIL 0
#define HA_OK 1
#endif

enum cl_netstring_type {
    FT_STRING = 0,
    FT_BINARY,
    FT_STRUCT,
    FT_LIST,
    FT_COMPRESS,
    FT_UNCOMPRESS
};

enum cl_msgfmt {
    MSGFMT_NVPAIR,
    MSGFMT_NETSTRING
};

struct ha_msg {
    int nfields;
    int nalloc;
    char** names;
    size_t* nlens;
    void** values;
    size_t* vlens;
    int* types;
};
typedef struct ha_msg HA_Message;

#define MSG_START ">>>\n"
#define MSG_END "<<<\n"
#define MSG_START_NETSTRING "###\n"
#define MSG_END_NETSTRING "%%%\n"
#define MAXDEPTH 16               /* Maximum nesting of struct fields */
#define MAXMSG (256 * 1024)       /* Largest message on the wire */
#define MAXUNCOMPRESSED (2048 * 1024)

#define MSG_NEEDAUTH 0x01
#define MSG_ALLOWINTR 0x02
#define MSG_NEEDCOMPRESS 0x04
#define MSG_NOSIZECHECK 0x08

/* Common field names */
#define F_TYPE                "t"                 /* Message type */
#define F_SUBTYPE             "subt"              /* Message subtype */
#define F_ORIG                "src"               /* Originating node */
#define F_ORIGUUID            "srcuuid"           /* Originating node's UUID */
#define F_NODE                "node"              /* Node being described */
#define F_NODELIST            "nodelist"          /* Node list being described */
#define F_DELNODELIST         "delnodelist"       /* Deleted node list being described */
#define F_TO                  "dest"              /* Destination node (optional) */
#define F_TOUUID              "destuuid"          /* Destination node's UUID (optional) */
#define F_STATUS              "st"                /* New status (type = status) */
#define F_WEIGHT              "weight"            /* Weight of a node */
#define F_SITE                "site"              /* Site of a node */
#define F_PROTOCOL            "protocol"          /* Protocol number for communication */
#define F_CLIENTNAME          "cn"                /* Client name */
#define F_CLIENTSTATUS        "cs"                /* Client status */
#define F_TIME                "ts"                /* Timestamp */
#define F_SEQ                 "seq"               /* Sequence number */
#define F_LOAD                "ld"                /* Load average */
#define F_COMMENT             "info"              /* Comment */
#define F_TTL                 "ttl"               /* Time to live */
#define F_AUTH                "auth"              /* Authentication string */
#define F_HBGENERATION        "hg"                /* Heartbeat generation number */
#define F_CLIENT_GENERATION   "client_gen"        /* Client generation number */
#define F_FIRSTSEQ            "firstseq"          /* Lowest seq # to retransmit */
#define F_LASTSEQ             "lastseq"           /* Highest seq # to retransmit */
#define F_RESOURCES           "rsc_hold"          /* What resources do we hold? */
#define F_FROMID              "from_id"           /* From client id */
#define F_TOID                "to_id"             /* To client id */
#define F_PID                 "pid"               /* PID of client */
#define F_UID                 "uid"               /* uid of client */
#define F_GID                 "gid"               /* gid of client */
#define F_ISSTABLE            "isstable"          /* true/false for RESOURCES */
#define F_APIREQ              "reqtype"           /* API request type for "hbapi" */
#define F_APIRESULT           "result"            /* API request result code */
#define F_IFNAME              "ifname"            /* Interface name */
#define F_PNAME               "pname"             /* Parameter name */
#define F_PVALUE              "pvalue"            /* Parameter value */
#define F_DEADTIME            "deadtime"          /* Dead time interval in ms */
#define F_KEEPALIVE           "keepalive"         /* Keep alive time interval in ms */
#define F_LOGFACILITY         "logfacility"       /* Suggested cluster syslog facility */
#define F_NODETYPE            "nodetype"          /* Type of node */
#define F_NUMNODES            "numnodes"          /* Number of nodes (excluding ping nodes) */
#define F_RTYPE               "rtype"             /* Resource type */
#define F_ORDERSEQ            "oseq"              /* Order sequence number */
#define F_DT                  "dt"                /* Dead time field for heartbeat */
#define F_ACKSEQ              "ackseq"            /* The seq number this msg is acking */
#define F_CRM_DATA            "crm_xml"           /* CRM payload */
#define F_XML_TAGNAME         "__name__"          /* XML tag name */
#define F_STATE               "state"             /* State (used by ccm) */

/* Message types */
#define T_STATUS              "status"            /* Status (heartbeat) */
#define T_IFSTATUS            "ifstat"            /* Interface status */
#define T_ASKRESOURCES        "ask_resources"     /* Let other node ask my resources */
#define T_ASKRELEASE          "ip-request"        /* Please give up these resources */
#define T_ACKRELEASE          "ip-request-resp"   /* Resources given up */
#define T_QCSTATUS            "query-cstatus"     /* Query client status */
#define T_RCSTATUS            "respond-cstatus"   /* Respond client status */
#define T_STONITH             "stonith"           /* Stonith return code */
#define T_SHUTDONE            "shutdone"          /* External shutdown complete */
#define T_CRM                 "crmd"              /* Cluster resource manager message */
#define T_ATTRD               "attrd"             /* Cluster resource manager message */
#define T_ADDNODE             "addnode"           /* Add node message */
#define T_DELNODE             "delnode"           /* Delete node message */
#define T_SETWEIGHT           "setweight"         /* Set node weight */
#define T_SETSITE             "setsite"           /* Set node site */
#define T_REQNODES            "reqnodes"          /* Request node list */
#define T_REPNODES            "repnodes"          /* Reply to a node list request */
#define T_APIREQ              "hbapi-req"         /* Heartbeat API request */
#define T_APIRESP             "hbapi-resp"        /* Heartbeat API response */
#define T_APICLISTAT          "hbapi-clstat"      /* Client status notification */
#define T_REXMIT              "NS_rexmit"         /* Retransmit request */
#define T_NAKREXMIT           "NS_nak_rexmit"     /* NAK of a retransmit request */
#define T_NS_STATUS           "NS_st"             /* Ping node status */
#define T_ACKMSG              "NS_ackmsg"         /* ACK message */
#define T_STARTING            "starting"          /* Starting heartbeat (requesting resource report) */
#define T_RESOURCES           "resource"          /* Resources report */
#define T_STONITH_OK          "OK"                /* stonith completed successfully */
#define T_STONITH_BADHOST     "badhost"           /* stonith failed */
#define T_STONITH_BAD         "bad"               /* stonith failed */
#define T_STONITH_NOTCONFGD   "n_stnth"           /* no stonith device configured */
#define T_STONITH_UNNEEDED    "unneeded"          /* STONITH not required */
#define NOSEQ_PREFIX          "NS_"             /* Types that carry no sequence number */

/* Allocate a new, empty message (nfields is only a size hint). NULL on failure. */
struct ha_msg* ha_msg_new(int nfields);
void ha_msg_del(struct ha_msg* msg);
struct ha_msg* ha_msg_copy(const struct ha_msg* msg);

/* Adding fields. A name must be non-empty and hold no '=' or newline. HA_OK or HA_FAIL. */
int ha_msg_add(struct ha_msg* msg, const char* name, const char* value);
int ha_msg_nadd(struct ha_msg* msg, const char* name, int namelen, const char* value, int vallen);
int ha_msg_nadd_type(struct ha_msg* msg, const char* name, int namelen, const char* value, int vallen,
                     int type);
int ha_msg_addbin(struct ha_msg* msg, const char* name, const void* value, size_t vallen);
int ha_msg_addstruct(struct ha_msg* msg, const char* name, const void* child);
int ha_msg_addstruct_compress(struct ha_msg* msg, const char* name, const void* child);
int ha_msg_add_int(struct ha_msg* msg, const char* name, int value);
int ha_msg_add_ul(struct ha_msg* msg, const char* name, unsigned long value);
int cl_msg_list_add_string(struct ha_msg* msg, const char* name, const char* value);

/* Modifying: replaces the first field of that name in place, or appends it. */
int cl_msg_modstring(struct ha_msg* msg, const char* name, const char* value);
int cl_msg_modbin(struct ha_msg* msg, const char* name, const void* value, size_t vlen);
int cl_msg_modstruct(struct ha_msg* msg, const char* name, const struct ha_msg* value);
#define ha_msg_mod(msg, name, value) cl_msg_modstring(msg, name, value)
int ha_msg_mod_int(struct ha_msg* msg, const char* name, int value);
int ha_msg_mod_ul(struct ha_msg* msg, const char* name, unsigned long value);

/* Removing: the first field of that name / the field at an offset. */
int cl_msg_remove(struct ha_msg* msg, const char* name);
int cl_msg_remove_offset(struct ha_msg* msg, int offset);

/* Reading. Returned pointers belong to the message and stay valid until that field is changed or
   removed or the message is deleted. */
const char* cl_get_string(const struct ha_msg* msg, const char* name);
#define ha_msg_value(m, name) cl_get_string(m, name)
const void* cl_get_binary(const struct ha_msg* msg, const char* name, size_t* vallen);
int cl_get_type(const struct ha_msg* msg, const char* name); /* -1 when absent */
struct ha_msg* cl_get_struct(struct ha_msg* msg, const char* name);
int ha_msg_value_int(const struct ha_msg* msg, const char* name, int* value);
int ha_msg_value_ul(const struct ha_msg* msg, const char* name, unsigned long* value);
int cl_msg_list_length(struct ha_msg* msg, const char* name); /* -1 when absent */
void* cl_msg_list_nth_data(struct ha_msg* msg, const char* name, int n);

/* Encoding. Results are malloc'ed: free() them. */
char* msg2string(const struct ha_msg* m);                   /* text format, NUL-terminated */
struct ha_msg* string2msg(const char* s, size_t length);    /* text format */
char* msg2wirefmt(struct ha_msg* m, size_t* len);           /* netstring, as heartbeat's */
char* msg2wirefmt_noac(struct ha_msg* m, size_t* len);      /* text + NUL unless netstring needed */
struct ha_msg* wirefmt2msg(const char* s, size_t length, int flag); /* either format */
int must_use_netstring(const struct ha_msg* m);
int get_stringlen(const struct ha_msg* m);
int get_netstringlen(const struct ha_msg* m);
void cl_set_msg_format(enum cl_msgfmt mfmt);

/* Write the message to syslog (at log_level, e.g. LOG_INFO), one line per field. */
void cl_log_message(int log_level, const struct ha_msg* m);
/* Ours: write the same lines to a stdio stream (FILE*). */
void ha_msg_dump(const struct ha_msg* m, FILE* stream);

#ifdef __cplusplus
}
#endif

#endif /* HEARTBEAT_HA_MSG_H */
