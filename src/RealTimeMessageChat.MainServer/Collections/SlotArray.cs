namespace RealTimeMessageChat.MainServer.Collections;

/// <summary>
/// An unordered set of references in an array with a free list: add and remove are O(1) under a
/// lock (growth doubles, so it is amortised), and iteration reads the current array without one.
/// The registry rebuilt an array of N on every add and remove, so 10,000 connects cost O(N²).
/// </summary>
/// <remarks>
/// A reader may see an item that is being removed (it checks the item's own state) or miss one
/// added during its pass (whoever adds makes up for that, as the room's join does); it never sees
/// a torn array, because growth copies first and publishes the new array last.
/// </remarks>
internal sealed class SlotArray<T>
    where T : class
{
    private readonly Lock _gate = new();
    private T?[] _items;
    private int[] _free;
    private int _freeCount;
    private int _used;
    private int _count;

    public SlotArray(int initialCapacity = 16)
    {
        _items = new T?[Math.Max(1, initialCapacity)];
        _free = new int[_items.Length];
    }

    public int Count => Volatile.Read(ref _count);

    /// <summary>The current slots, some null; valid to iterate without a lock.</summary>
    public T?[] Items => Volatile.Read(ref _items);

    /// <summary>Adds and returns the slot, to be passed back to <see cref="Remove"/>.</summary>
    public int Add(T item)
    {
        lock (_gate)
        {
            int slot;
            if (_freeCount > 0)
            {
                slot = _free[--_freeCount];
            }
            else
            {
                if (_used == _items.Length)
                {
                    var grown = new T?[_items.Length * 2];
                    Array.Copy(_items, grown, _items.Length);
                    Array.Resize(ref _free, grown.Length);
                    Volatile.Write(ref _items, grown);
                }

                slot = _used++;
            }

            Volatile.Write(ref _items[slot], item);
            _count++;
            return slot;
        }
    }

    /// <summary>Removes what <see cref="Add"/> put in <paramref name="slot"/>; false if it is no longer there.</summary>
    public bool Remove(int slot, T item)
    {
        lock (_gate)
        {
            if (slot < 0 || slot >= _used || !ReferenceEquals(_items[slot], item))
            {
                return false;
            }

            Volatile.Write(ref _items[slot], null);
            _free[_freeCount++] = slot;
            _count--;
            return true;
        }
    }

    /// <summary>A copy of the items, for the rare callers that want a list (shutdown, tests).</summary>
    public List<T> ToList()
    {
        var list = new List<T>(Count);
        foreach (T? item in Items)
        {
            if (item is not null)
            {
                list.Add(item);
            }
        }

        return list;
    }
}
