public import Foundation

/// Deadlines counted in working days: weekends and the school's holidays are skipped.
public enum WorkingDays {
    /// Whether a day is a working day (Monday to Friday, not in a holiday).
    public static func isWorkingDay(_ day: CalendarDate, holidays: [DateRange]) -> Bool {
        let weekday = CalendarDate.calendar.component(.weekday, from: day.startOfDay)
        return weekday != 1 && weekday != 7 && !holidays.contains { $0.contains(day) }
    }

    /// The end of the `count`-th working day after the day of `start`.
    ///
    /// With `count` 0 it is the end of the day itself when that is a working day, else of the next
    /// working day. Reported on a Friday, one working day runs to the end of Monday.
    public static func deadline(_ count: Int, after start: Date, holidays: [DateRange]) -> Date {
        var day = CalendarDate(start)
        var remaining = count
        if remaining == 0 {
            while !isWorkingDay(day, holidays: holidays) { day = day.adding(days: 1) }
        }
        while remaining > 0 {
            day = day.adding(days: 1)
            if isWorkingDay(day, holidays: holidays) { remaining -= 1 }
        }
        return day.adding(days: 1).startOfDay.addingTimeInterval(-0.001)
    }
}
