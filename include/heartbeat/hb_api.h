/*
 * hb_api.h: heartbeat's client API (source-compatible with heartbeat 3.0's <hb_api.h>).
 *
 * A program gets a handle with ll_cluster_new("heartbeat"), signs on to the local daemon and then
 * calls everything through hb->llc_ops. Self-contained: needs nothing but ha_msg.h beside it (no
 * glib, no clplumbing). Every call checks its handle and arguments and fails with HA_FAIL, NULL or
 * -1, leaving the reason for errmsg(), instead of crashing.
 *
 * Differences from heartbeat 3.0 a caller can notice:
 * - ipcchan() returns NULL: there is no clplumbing IPC_Channel; use inputfd() with poll/select.
 * - G_main_add_ll_cluster() (glib main loop glue) is not provided; poll inputfd() and call rcvmsg().
 */
#ifndef HEARTBEAT_HB_API_H
#define HEARTBEAT_HB_API_H 1

#include <stddef.h>

#include "ha_msg.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LLC_PROTOCOL_VERSION 2

/* clplumbing's cl_uuid_t: 16 raw bytes. */
#ifndef _CL_UUID_H_
typedef struct cl_uuid_s {
    unsigned char uuid[16];
} cl_uuid_t;
#endif

/* clplumbing's channel type, only named here: ipcchan() never returns one. */
struct IPC_CHANNEL;

typedef void (*llc_msg_callback_t)(struct ha_msg* msg, void* private_data);
typedef void (*llc_nstatus_callback_t)(const char* node, const char* status, void* private_data);
typedef void (*llc_ifstatus_callback_t)(const char* node, const char* interface, const char* status,
                                        void* private_data);
typedef void (*llc_cstatus_callback_t)(const char* node, const char* client, const char* status,
                                       void* private_data);

typedef struct ll_cluster {
    void* ll_cluster_private;
    struct llc_ops* llc_ops;
} ll_cluster_t;

/* Filter modes for setfmode(). */
#define LLC_FILTER_DEFAULT 0 /* messages for us, status changes */
#define LLC_FILTER_PMODE 1   /* also duplicates and messages for other nodes (root only) */
#define LLC_FILTER_ALLHB 2   /* also every heartbeat (root only) */
#define LLC_FILTER_RAW 3     /* everything the daemon sees (root only) */

/* The members, their order and their types are heartbeat 3.0's (gboolean is an int there). */
struct llc_ops {
    int (*signon)(ll_cluster_t*, const char* clientid); /* NULL clientid: a casual client */
    int (*signoff)(ll_cluster_t*, int destroy_channel);
#ifdef __cplusplus
    int (*delete_cluster)(ll_cluster_t*); /* `delete` in C */
#else
    int (*delete)(ll_cluster_t*);
#endif

    /* Callbacks run from rcvmsg() and readmsg(); a NULL callback removes the one of that type. */
    int (*set_msg_callback)(ll_cluster_t*, const char* msgtype, llc_msg_callback_t callback, void* p);
    int (*set_nstatus_callback)(ll_cluster_t*, llc_nstatus_callback_t cbf, void* p);
    int (*set_ifstatus_callback)(ll_cluster_t*, llc_ifstatus_callback_t cbf, void* p);
    int (*set_cstatus_callback)(ll_cluster_t*, llc_cstatus_callback_t cbf, void* p);

    /* Node walk: init_nodewalk, then nextnode until NULL, then end_nodewalk. */
    int (*init_nodewalk)(ll_cluster_t*);
    const char* (*nextnode)(ll_cluster_t*);
    int (*end_nodewalk)(ll_cluster_t*);
    const char* (*node_status)(ll_cluster_t*, const char* nodename);
    int (*node_weight)(ll_cluster_t*, const char* nodename);
    const char* (*node_site)(ll_cluster_t*, const char* nodename);
    const char* (*node_type)(ll_cluster_t*, const char* nodename);
    int (*num_nodes)(ll_cluster_t*);

    /* Interface (link) walk of one node. */
    int (*init_ifwalk)(ll_cluster_t*, const char* node);
    const char* (*nextif)(ll_cluster_t*);
    int (*end_ifwalk)(ll_cluster_t*);
    const char* (*if_status)(ll_cluster_t*, const char* nodename, const char* iface);

    /* "online"/"offline" of a client on a node, waiting at most timeout ms (NULL: no answer).
     * host NULL: asks every node at once; the answers come as cstatus callbacks. */
    const char* (*client_status)(ll_cluster_t*, const char* host, const char* clientid, int timeout);

    int (*get_uuid_by_name)(ll_cluster_t*, const char* nodename, cl_uuid_t* uuid);
    int (*get_name_by_uuid)(ll_cluster_t*, cl_uuid_t* uuid, char* nodename, size_t maxnamlen);

    /* Sending: named clients only; a message reaches the clients of the same name. */
    int (*sendclustermsg)(ll_cluster_t*, struct ha_msg* msg);
    int (*sendnodemsg)(ll_cluster_t*, struct ha_msg* msg, const char* nodename);
    int (*sendnodemsg_byuuid)(ll_cluster_t*, struct ha_msg* msg, cl_uuid_t* uuid);
    int (*send_ordered_clustermsg)(ll_cluster_t*, struct ha_msg* msg);
    int (*send_ordered_nodemsg)(ll_cluster_t*, struct ha_msg* msg, const char* nodename);

    /* Receiving. */
    int (*inputfd)(ll_cluster_t*);
    struct IPC_CHANNEL* (*ipcchan)(ll_cluster_t*);
    int (*msgready)(ll_cluster_t*);
    int (*setmsgsignal)(ll_cluster_t*, int signo);
    int (*rcvmsg)(ll_cluster_t*, int blocking);
    struct ha_msg* (*readmsg)(ll_cluster_t*, int blocking); /* free the result with ha_msg_del */
    int (*setfmode)(ll_cluster_t*, unsigned mode);

    /* What the daemon runs with. get_parameter's result is malloc'ed: free() it. */
    char* (*get_parameter)(ll_cluster_t*, const char* paramname);
    long (*get_deadtime)(ll_cluster_t*);  /* milliseconds */
    long (*get_keepalive)(ll_cluster_t*); /* milliseconds */
    const char* (*get_mynodeid)(ll_cluster_t*);
    int (*get_logfacility)(ll_cluster_t*); /* -1: not logging to syslog */
    const char* (*get_resources)(ll_cluster_t*);

    int (*chan_is_connected)(ll_cluster_t*);
    int (*set_sendq_len)(ll_cluster_t*, int length);
    int (*set_send_block_mode)(ll_cluster_t*, int blocking);
    const char* (*errmsg)(ll_cluster_t*);
};

/* Parameters for get_parameter (heartbeat's names). */
#define KEY_HBVERSION "hbversion"
#define KEY_CLUSTER "cluster"
#define KEY_QSERVER "quorum_server"
#define KEY_HOST "node"
#define KEY_HOPS "hopfudge"
#define KEY_KEEPALIVE "keepalive"
#define KEY_DEADTIME "deadtime"
#define KEY_DEADPING "deadping"
#define KEY_WARNTIME "warntime"
#define KEY_INITDEAD "initdead"
#define KEY_WATCHDOG "watchdog"
#define KEY_BAUDRATE "baud"
#define KEY_UDPPORT "udpport"
#define KEY_FACILITY "logfacility"
#define KEY_LOGFILE "logfile"
#define KEY_DBGFILE "debugfile"
#define KEY_FAILBACK "nice_failback"
#define KEY_AUTOFAIL "auto_failback"
#define KEY_STONITH "stonith"
#define KEY_STONITHHOST "stonith_host"
#define KEY_CLIENT_CHILD "respawn"
#define KEY_FAILFAST "failfast"
#define KEY_COMPRESSION "compression"
#define KEY_COMPRESSION_THRESHOLD "compression_threshold"
#define KEY_TRADITIONAL_COMPRESSION "traditional_compression"
#define KEY_RT_PRIO "rtprio"
#define KEY_GEN_METH "hbgenmethod"
#define KEY_REALTIME "realtime"
#define KEY_DEBUGLEVEL "debug"
#define KEY_NORMALPOLL "normalpoll"
#define KEY_APIPERM "apiauth"
#define KEY_MSGFMT "msgfmt"
#define KEY_LOGDAEMON "use_logd"
#define KEY_CONNINTVAL "conn_logd_time"
#define KEY_BADPACK "log_badpack"
#define KEY_REGAPPHBD "use_apphbd"
#define KEY_SYSLOGFMT "syslogmsgfmt"
#define KEY_COREDUMP "coredumps"
#define KEY_COREROOTDIR "coreroot"
#define KEY_REL2 "crm"
#define KEY_PACEMAKER "pacemaker"
#define KEY_AUTOJOIN "autojoin"
#define KEY_UUIDFROM "uuidfrom"
#define KEY_ENV "env"
#define KEY_MEMRESERVE "memreserve"
#define KEY_MAX_REXMIT_DELAY "max_rexmit_delay"
#define KEY_LOG_CONFIG_CHANGES "record_config_changes"
#define KEY_LOG_PENGINE_INPUTS "record_pengine_inputs"
#define KEY_CONFIG_WRITES_ENABLED "enable_config_writes"

/* A new handle, not yet signed on; NULL for any type but "heartbeat". */
ll_cluster_t* ll_cluster_new(const char* llctype);

#ifdef __cplusplus
}
#endif

#endif /* HEARTBEAT_HB_API_H */
