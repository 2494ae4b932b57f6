package import Foundation
package import FunctionsRPC
package import FunctionsStorage

/// The timer trigger's `input_data` and metadata (reference §4.4).
///
/// The value is the stock `TimerInfo` serialized by Newtonsoft, sent as `TypedData.json` (the Python
/// `TimerRequest` converter rejects anything else):
///
/// ```json
/// {"Schedule":{"AdjustForDST":true},
///  "ScheduleStatus":{"Last":"2016-10-04T10:15:00+00:00","Next":"2016-10-04T10:20:00+00:00","LastUpdated":"2016-10-04T10:16:00+00:00"},
///  "IsPastDue":false}
/// ```
///
/// `ScheduleStatus` is the status *before* this run, and `null` when the timer has no monitor.
package enum TimerTriggerPayload {
  /// The `TimerInfo` JSON as `TypedData.json`.
  package static func make(isPastDue: Bool, status: ScheduleStatus?) -> AzureFunctionsRpcMessages_TypedData {
    var data = AzureFunctionsRpcMessages_TypedData()
    data.json = jsonText(isPastDue: isPastDue, status: status)
    return data
  }

  /// The `TimerInfo` JSON text, members in stock order, dates in ``WireDate`` form.
  package static func jsonText(isPastDue: Bool, status: ScheduleStatus?) -> String {
    var schedule = JSONObjectText()
    schedule.add("AdjustForDST", bool: true)
    var info = JSONObjectText()
    info.add("Schedule", json: schedule.text)
    if let status {
      var s = JSONObjectText()
      s.add("Last", string: WireDate.string(from: status.last))
      s.add("Next", string: WireDate.string(from: status.next))
      s.add("LastUpdated", string: WireDate.string(from: status.lastUpdated))
      info.add("ScheduleStatus", json: s.text)
    } else {
      info.add("ScheduleStatus", json: "null")
    }
    info.add("IsPastDue", bool: isPastDue)
    return info.text
  }

  /// The timer trigger's metadata: only `sys`.
  package static func metadata(sys: SystemBindingData) -> TriggerBindingData {
    var data = TriggerBindingData()
    data.setSystem(sys)
    return data
  }

  /// The timer trigger's metadata, making `sys` from its parts.
  package static func metadata(methodName: String, now: Date, randGuid: String) -> TriggerBindingData {
    metadata(sys: SystemBindingData(methodName: methodName, utcNow: now, randGuid: randGuid))
  }
}
