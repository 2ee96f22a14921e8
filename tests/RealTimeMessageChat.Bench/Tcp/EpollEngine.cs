using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace RealTimeMessageChat.Bench.Tcp;

/// <summary>
/// One thread that reads every client socket: <c>epoll_wait</c> for up to 1,024 ready sockets, one
/// <c>read</c> of up to 1 MiB each into one buffer, frames parsed in place (<see cref="BenchClient.Process"/>).
/// Level-triggered, so a socket left with data is simply reported again; a stalled client is taken
/// out of the interest set until it resumes. Adding, closing, stalling and resuming are queued to
/// this thread (an eventfd wakes it), so a descriptor is never closed while it is being read.
/// </summary>
internal sealed unsafe class EpollEngine : IDisposable
{
    private const int MaxEvents = 1024;
    private const int BufferSize = 1 << 20;
    private const ulong WakeId = ulong.MaxValue;

    private readonly int _epoll;
    private readonly int _wake;
    private readonly ConcurrentQueue<Action> _commands = new();
    private readonly Thread _thread;
    private BenchClient?[] _clients = new BenchClient?[1024];
    private volatile bool _stopping;

    public EpollEngine()
    {
        _epoll = Native.EpollCreate1(Native.SockCloexec);
        _wake = Native.EventFd(0, Native.EfdNonBlock | Native.SockCloexec);
        if (_epoll < 0 || _wake < 0)
        {
            throw new IOException($"epoll/eventfd: {Native.Describe(Native.Errno)}");
        }

        Native.EpollCtl(_epoll, Native.EpollCtlAdd, _wake, Native.EpollIn, WakeId);
        _thread = new Thread(Run) { IsBackground = true, Name = "bench-epoll" };
        _thread.Start();
    }

    /// <summary>Starts reading <paramref name="client"/>'s descriptor (already connected, non-blocking).</summary>
    public void Add(BenchClient client) => Post(() =>
    {
        if (client.Index >= _clients.Length)
        {
            Array.Resize(ref _clients, Math.Max(client.Index + 1, _clients.Length * 2));
        }

        _clients[client.Index] = client;
        Native.EpollCtl(_epoll, Native.EpollCtlAdd, client.Fd, Native.EpollIn | Native.EpollRdHup, (ulong)client.Index);
    });

    public void SetReading(BenchClient client, bool reading) => Post(() =>
    {
        if (_clients[client.Index] == client)
        {
            Native.EpollCtl(_epoll, Native.EpollCtlMod, client.Fd, reading ? Native.EpollIn | Native.EpollRdHup : 0, (ulong)client.Index);
        }
    });

    /// <summary>Stops reading and closes the descriptor, on the loop thread.</summary>
    public void Close(BenchClient client) => Post(() => CloseNow(client));

    public void Dispose()
    {
        _stopping = true;
        Wake();
        _thread.Join(TimeSpan.FromSeconds(5));
        foreach (BenchClient? client in _clients)
        {
            if (client is not null)
            {
                Native.Close(client.Fd);
            }
        }

        Native.Close(_wake);
        Native.Close(_epoll);
    }

    private void Post(Action command)
    {
        _commands.Enqueue(command);
        Wake();
    }

    private void Wake()
    {
        ulong one = 1;
        Native.Write(_wake, (byte*)&one, sizeof(ulong));
    }

    private void CloseNow(BenchClient client)
    {
        if (_clients[client.Index] != client)
        {
            return;
        }

        _clients[client.Index] = null;
        Native.EpollCtl(_epoll, Native.EpollCtlDel, client.Fd, 0, 0);
        Native.Close(client.Fd);
    }

    private void Run()
    {
        byte* events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * Native.EventSize));
        byte* buffer = (byte*)NativeMemory.Alloc(BufferSize);
        try
        {
            while (!_stopping)
            {
                int ready = Native.EpollWait(_epoll, events, MaxEvents, 200);
                if (ready < 0)
                {
                    if (Native.Errno == Native.EIntr)
                    {
                        continue;
                    }

                    throw new IOException($"epoll_wait: {Native.Describe(Native.Errno)}");
                }

                for (int i = 0; i < ready; i++)
                {
                    ulong id = Native.EventData(events, i);
                    if (id == WakeId)
                    {
                        ulong count;
                        Native.Read(_wake, (byte*)&count, sizeof(ulong));
                        while (_commands.TryDequeue(out Action? command))
                        {
                            command();
                        }

                        continue;
                    }

                    BenchClient? client = (int)id < _clients.Length ? _clients[(int)id] : null;
                    if (client is not null)
                    {
                        ReadOnce(client, buffer, Native.EventMask(events, i));
                    }
                }
            }
        }
        finally
        {
            NativeMemory.Free(buffer);
            NativeMemory.Free(events);
        }
    }

    private void ReadOnce(BenchClient client, byte* buffer, uint mask)
    {
        while (true)
        {
            nint n = Native.Read(client.Fd, buffer, BufferSize);
            if (n > 0)
            {
                client.OnData(new ReadOnlySpan<byte>(buffer, (int)n), Stopwatch.GetTimestamp());
                if (!client.IsOpen)
                {
                    CloseNow(client);
                    return;
                }

                if (n < BufferSize)
                {
                    return;
                }

                continue;
            }

            if (n == 0)
            {
                client.OnClosed("end of stream");
                CloseNow(client);
                return;
            }

            int errno = Native.Errno;
            if (errno == Native.EIntr)
            {
                continue;
            }

            if (errno == Native.EAgain)
            {
                if ((mask & (Native.EpollHup | Native.EpollErr)) != 0)
                {
                    client.OnClosed("hang-up");
                    CloseNow(client);
                }

                return;
            }

            client.OnClosed(Native.Describe(errno));
            CloseNow(client);
            return;
        }
    }
}
