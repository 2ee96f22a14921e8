using System.Runtime.InteropServices;

namespace RealTimeMessageChat.Bench.Tcp;

/// <summary>
/// The few libc calls of the clients' epoll loop (Linux, x64 and arm64). The generator drives its
/// sockets the way the C reference client does, one thread, one <c>epoll_wait</c> for many ready
/// sockets and one <c>read</c> each, so that it costs about what the reference costs per delivery.
/// </summary>
internal static unsafe partial class Native
{
    public const int AfInet = 2;
    public const int SockStream = 1;
    public const int SockCloexec = 0x80000;
    public const int IpProtoTcp = 6;
    public const int TcpNoDelay = 1;
    public const int FGetFl = 3;
    public const int FSetFl = 4;
    public const int ONonBlock = 0x800;
    public const int EpollCtlAdd = 1;
    public const int EpollCtlDel = 2;
    public const int EpollCtlMod = 3;
    public const uint EpollIn = 0x001;
    public const uint EpollErr = 0x008;
    public const uint EpollHup = 0x010;
    public const uint EpollRdHup = 0x2000;
    public const int EfdNonBlock = 0x800;
    public const int EIntr = 4;
    public const int EAgain = 11;

    /// <summary>x64 packs <c>struct epoll_event</c> to 12 bytes; other architectures align it to 16.</summary>
    public static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    private static readonly int EventDataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    public const int ClockMonotonic = 1;
    public const int TimerAbsTime = 1;

    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    public static partial int ClockNanosleep(int clock, int flags, TimeSpec* request, TimeSpec* remain);

    /// <summary>Sleeps (no spinning) until CLOCK_MONOTONIC reads <paramref name="nanoseconds"/>.</summary>
    public static void SleepUntilMonotonic(long nanoseconds)
    {
        var until = new TimeSpec { Seconds = nanoseconds / 1_000_000_000, Nanoseconds = nanoseconds % 1_000_000_000 };
        while (ClockNanosleep(ClockMonotonic, TimerAbsTime, &until, null) == EIntr)
        {
        }
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "connect", SetLastError = true)]
    public static partial int Connect(int fd, SockAddrIn* address, int length);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSockOpt(int fd, int level, int name, int* value, int length);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtlRaw(int epfd, int operation, int fd, byte* @event);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int EpollWait(int epfd, byte* events, int maxEvents, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initial, int flags);

    public static int EpollCtl(int epfd, int operation, int fd, uint events, ulong data)
    {
        byte* buffer = stackalloc byte[16];
        *(uint*)buffer = events;
        *(ulong*)(buffer + EventDataOffset) = data;
        return EpollCtlRaw(epfd, operation, fd, buffer);
    }

    public static uint EventMask(byte* events, int index) => *(uint*)(events + index * EventSize);

    public static ulong EventData(byte* events, int index) => *(ulong*)(events + index * EventSize + EventDataOffset);

    public static int Errno => Marshal.GetLastPInvokeError();

    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    /// <summary>Writes all of <paramref name="data"/> to a blocking descriptor.</summary>
    public static void WriteAll(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* start = data)
        {
            int written = 0;
            while (written < data.Length)
            {
                nint n = Write(fd, start + written, data.Length - written);
                if (n < 0)
                {
                    int errno = Errno;
                    if (errno == EIntr)
                    {
                        continue;
                    }

                    throw new IOException($"write: {Describe(errno)}");
                }

                written += (int)n;
            }
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct SockAddrIn
    {
        public ushort Family;
        public ushort PortNetworkOrder;
        public uint AddressNetworkOrder;
        public ulong Zero;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
