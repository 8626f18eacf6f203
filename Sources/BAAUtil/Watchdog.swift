import Foundation

/// One document's time budget: a deadline on the monotonic clock and a note of how far the work got,
/// so that a document over budget is reported with what was done ("over the 30 s budget after
/// extracting 812 of 1,000 pages"). Extractors call `check()` between pages and parts (the cooperative
/// check); `Watchdog.run` covers the rest (one slow page inside poppler, the review itself).
/// Thread-safe: the worker notes progress while the watchdog reads it.
public final class TimeBudget: @unchecked Sendable {
    /// The budget in seconds.
    public let seconds: Double
    private let deadline: UInt64
    private let lock = NSLock()
    private var doneSoFar = "starting"

    /// A budget of `seconds` starting now.
    public init(seconds: Double) {
        self.seconds = seconds
        deadline = DispatchTime.now().uptimeNanoseconds &+ UInt64(max(0, min(seconds, 1e9)) * 1e9)
    }

    /// True once the deadline has passed.
    public var isExpired: Bool { DispatchTime.now().uptimeNanoseconds >= deadline }

    /// Seconds left (0 when expired).
    public var remaining: Double {
        let now = DispatchTime.now().uptimeNanoseconds
        return now >= deadline ? 0 : Double(deadline - now) / 1e9
    }

    /// Records what has been done so far, phrased to follow "after": "extracting 812 of 1,000 pages".
    public func note(_ done: String) {
        lock.lock(); doneSoFar = done; lock.unlock()
    }

    /// What has been done so far.
    public var done: String {
        lock.lock(); defer { lock.unlock() }
        return doneSoFar
    }

    /// The error for this budget with the progress as it stands.
    public var exceeded: OverBudget { OverBudget(seconds: seconds, done: done) }

    /// Throws `OverBudget` once the deadline has passed.
    public func check() throws(OverBudget) {
        if isExpired { throw exceeded }
    }

    /// "1,000": counts in messages are read by people.
    public static func count(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }
}

/// A document that ran past its time budget.
public struct OverBudget: Error, CustomStringConvertible, Sendable, Equatable {
    public let seconds: Double
    public let done: String
    public init(seconds: Double, done: String) { self.seconds = seconds; self.done = done }
    public var description: String {
        let s = seconds == seconds.rounded() && seconds < 1e15 ? String(Int(seconds)) : String(format: "%g", seconds)
        return "over the \(s) s budget after \(done) (--time-budget)"
    }
}

/// Runs one document's work on its own thread and gives up on it when it overruns its budget.
///
/// Swift cannot stop a thread that is inside C code (poppler on one pathological page, a long review),
/// so a worker that is still running `grace` seconds after its budget is abandoned: the caller gets
/// `.abandoned` at once and goes on with the next document, while the abandoned thread runs on in the
/// background until it ends or the process exits. The caller must not share non-thread-safe state
/// with an abandoned worker afterwards (make a fresh `Reviewer`, for instance).
public enum Watchdog {
    public enum Outcome<T> {
        case finished(T)
        /// The work was still running at budget + grace; `OverBudget` carries its last progress note.
        case abandoned(OverBudget)
    }

    /// The stack each worker gets (the review recurses; 16 MB as the batch workers have).
    public static let stackSize = 16 << 20

    /// Runs `work` on a fresh thread and waits for it, at most until `budget` runs out plus `grace` seconds.
    /// Without a budget it still runs on a worker thread (for the same stack size) and waits as long as it takes.
    public static func run<T>(budget: TimeBudget?, grace: Double = 1, _ work: @escaping () -> T) -> Outcome<T> {
        let box = WatchdogBox<T>()
        box.work = work
        let thread = Thread {
            let w = box.work
            box.work = nil
            box.result = w?()
            box.done.signal()
        }
        thread.stackSize = stackSize
        thread.name = "baa-document"
        thread.start()
        if let budget {
            let wait = budget.remaining + max(0, grace)
            if box.done.wait(timeout: .now() + wait) == .timedOut {
                return .abandoned(budget.exceeded)
            }
        } else {
            box.done.wait()
        }
        guard let result = box.result else { return .abandoned(OverBudget(seconds: budget?.seconds ?? 0, done: "nothing")) }
        return .finished(result)
    }
}

/// Hands a closure and its result between the caller and the worker thread: the semaphore orders the
/// accesses, and after an abandonment the caller never reads the box again.
private final class WatchdogBox<T>: @unchecked Sendable {
    var work: (() -> T)?
    var result: T?
    let done = DispatchSemaphore(value: 0)
}
