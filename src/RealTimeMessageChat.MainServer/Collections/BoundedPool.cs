using System.Collections.Concurrent;

namespace RealTimeMessageChat.MainServer.Collections;

/// <summary>
/// A lock-free pool of reusable objects that keeps at most <c>capacity</c> of them: enough for
/// every send that can be in flight at once on a small machine; beyond that the GC takes them (or
/// <c>discard</c> releases what the GC cannot).
/// </summary>
internal sealed class BoundedPool<T>(Func<T> create, int capacity, Action<T>? discard = null)
    where T : class
{
    private readonly ConcurrentQueue<T> _items = new();
    private int _count;

    public T Rent()
    {
        if (_items.TryDequeue(out T? item))
        {
            Interlocked.Decrement(ref _count);
            return item;
        }

        return create();
    }

    public void Return(T item)
    {
        if (Interlocked.Increment(ref _count) <= capacity)
        {
            _items.Enqueue(item);
            return;
        }

        Interlocked.Decrement(ref _count);
        discard?.Invoke(item);
    }
}
