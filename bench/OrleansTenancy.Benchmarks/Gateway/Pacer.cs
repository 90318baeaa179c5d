using System.Diagnostics;
using System.Runtime.InteropServices;

namespace OrleansTenancy.Benchmarks.Gateway;

/// <summary>
/// Waits until a <see cref="Stopwatch"/> timestamp, for an open-loop load generator that must issue each request at its
/// own due time. On Linux it sleeps on the monotonic clock with an absolute deadline and a 1 µs timer slack (the
/// kernel's default slack is 50 µs), so requests go out within tens of microseconds of their due time without spinning
/// a core. Elsewhere it falls back to 1 ms sleeps, which issues requests in small bursts.
/// </summary>
internal static partial class Pacer
{
    private const int ClockMonotonic = 1;
    private const int TimerAbsoluteTime = 1;
    private const int PrSetTimerSlack = 29;
    private const long NanosecondsPerSecond = 1_000_000_000;

    /// <summary>How the pacer sleeps on this machine, for the report header.</summary>
    public static string Method => Precise
        ? "each request at its due time (clock_nanosleep on CLOCK_MONOTONIC, 1 µs timer slack)"
        : "1 ms sleeps (requests due meanwhile go out together)";

    // Stopwatch reads CLOCK_MONOTONIC in nanoseconds on Linux, so its timestamps are valid absolute deadlines there.
    private static bool Precise => OperatingSystem.IsLinux() && Stopwatch.Frequency == NanosecondsPerSecond;

    /// <summary>Prepares the calling thread (a dedicated pacing thread) for precise sleeps.</summary>
    public static void PrepareThread()
    {
        if (Precise)
        {
            _ = SetTimerSlack(PrSetTimerSlack, 1, 0, 0, 0);
        }
    }

    /// <summary>Returns once <paramref name="timestamp"/> has passed (at once if it already has).</summary>
    public static void SleepUntil(long timestamp)
    {
        while (Stopwatch.GetTimestamp() < timestamp)
        {
            if (!Precise)
            {
                Thread.Sleep(1);
                continue;
            }

            var deadline = new Timespec { Seconds = timestamp / NanosecondsPerSecond, Nanoseconds = timestamp % NanosecondsPerSecond };
            // Returns early only on a signal (EINTR); the loop sleeps again.
            _ = ClockNanosleep(ClockMonotonic, TimerAbsoluteTime, ref deadline, IntPtr.Zero);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    private static partial int ClockNanosleep(int clockId, int flags, ref Timespec request, IntPtr remain);

    [LibraryImport("libc", EntryPoint = "prctl")]
    private static partial int SetTimerSlack(int option, nuint value, nuint unused3, nuint unused4, nuint unused5);
}
