import GuanceAPI

extension GuanceSimulator {
    /// A few issues (with a reply) so a newcomer running `make run` sees events flow.
    public func addSampleIssues() {
        let checkout = addIssue(
            IssueDraft(
                name: "checkout-service p99 latency above 2 s",
                description: "<p>Latency of <strong>checkout-service</strong> is above 2 s for 5 minutes.</p>"
                    + "<p><span class=\"mention\" data-uuid=\"acnt_ops\">@ops-oncall</span> please look &amp; report.</p>",
                level: .string("system_level_2"), resource: "APM-http://checkout-service/api/pay",
                createAt: GuanceSimulator.nowSeconds() - 60))
        addIssue(
            IssueDraft(
                name: "disk usage 91% on db-01", description: "<p>/var/lib/mysql is <em>91%</em> full.</p>",
                level: .number(3), resource: "host-db-01", resourceType: "host"))
        addIssue(
            IssueDraft(
                name: "error rate of login &gt; 5%", description: "<ul><li>login 5xx: 7%</li><li>since 10:02</li></ul>",
                level: .number(1), statusType: 30, resource: "RUM-login", resourceType: "rum"))
        addReply(issueUUID: checkout.uuid, content: "Looking into it — rolling back release 1.42.")
    }
}
