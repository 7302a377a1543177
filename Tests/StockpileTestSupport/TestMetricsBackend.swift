public import MetricsTestKit
import CoreMetrics

/// The test process's one metrics backend: swift-metrics takes a single bootstrap per process, and every
/// test target is linked into one, so each target's fixtures ask for this one.
public let testMetrics: TestMetrics = {
    let metrics = TestMetrics()
    MetricsSystem.bootstrap(metrics)
    return metrics
}()
