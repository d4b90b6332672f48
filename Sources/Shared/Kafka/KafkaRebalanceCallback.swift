import CKafka
import Logging

/// librdkafka's rebalance callback for consumers: applies (incremental) assignments, commits before a revoke, and
/// tells `RebalanceState` what moved.
let kafkaRebalanceCallback:
    @convention(c) (
        OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
        UnsafeMutableRawPointer?
    ) -> Void = { rk, err, partitions, opaque in
        guard let rk, let context = KafkaCallbackContext.from(opaque) else { return }
        let cooperative = String(cString: rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE"
        let changed = KafkaTopicPartitionList.partitions(partitions)
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            if cooperative {
                if let error = rd_kafka_incremental_assign(rk, partitions) { rd_kafka_error_destroy(error) }
            } else {
                rd_kafka_assign(rk, partitions)
            }
            // librdkafka keeps an application pause across unassign/assign: a partition paused before the rebalance
            // would come back paused to a worker that never paused it, and stay so (no record arrives to resume it).
            resumeMoved(rk, partitions, changed, context)
            context.rebalance.assigned(changed)
            context.logger.info("partitions assigned", metadata: ["kafka.partitions": "\(changed)"])
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            // Commit what was handled before the partitions move, so the next owner does not redo it.
            let commitErr = rd_kafka_commit(rk, nil, 0)
            if commitErr != RD_KAFKA_RESP_ERR_NO_ERROR && commitErr != RD_KAFKA_RESP_ERR__NO_OFFSET {
                context.logger.warning("commit on revoke failed", metadata: ["kafka.error": "\(KafkaCode(commitErr))"])
            }
            resumeMoved(rk, partitions, changed, context)
            if cooperative {
                if let error = rd_kafka_incremental_unassign(rk, partitions) { rd_kafka_error_destroy(error) }
            } else {
                rd_kafka_assign(rk, nil)
            }
            context.rebalance.revoked(changed)
            context.logger.info("partitions revoked", metadata: ["kafka.partitions": "\(changed)"])
        default:
            context.logger.warning("rebalance error", metadata: ["kafka.error": "\(KafkaCode(err))"])
            let current = Array(context.rebalance.current)
            let list = KafkaTopicPartitionList.make(current)
            defer { rd_kafka_topic_partition_list_destroy(list) }
            resumeMoved(rk, list, current, context)
            rd_kafka_assign(rk, nil)
            context.rebalance.revoked(current)
        }
    }

/// Resumes partitions a rebalance moves (in either direction) and forgets that they were paused.
private func resumeMoved(
    _ rk: OpaquePointer, _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
    _ partitions: [KafkaTopicPartition], _ context: KafkaCallbackContext
) {
    guard let list, !partitions.isEmpty else { return }
    rd_kafka_resume_partitions(rk, list)
    context.rebalance.resumed(partitions)
}
