#ifndef GUANCE_CHATOPS_CKAFKA_SHIM_H
#define GUANCE_CHATOPS_CKAFKA_SHIM_H
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#endif
