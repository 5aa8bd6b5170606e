package capnweb.protocol;

import capnweb.api.RpcFunction;
import capnweb.api.RpcProperty;
import capnweb.api.Undefined;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds and invokes what a peer may reach on a local target: its public instance methods (not
 * those of {@code Object} or of the API's own types, not static ones, not {@code close()}), and
 * read-only properties {@code x}: a no-argument method annotated {@link RpcProperty}, else
 * {@code getX()} or {@code isX()}, else {@code x()} when no other method shares its name. Reading
 * any other method's name yields the method, bound to the target. What it learns about a class
 * is cached.
 */
final class Dispatcher {
    private static final String API_PACKAGE = "capnweb.api";
    private static final Set<String> OBJECT_METHOD_NAMES = Set.of("getClass", "hashCode", "equals",
            "toString", "notify", "notifyAll", "wait", "clone", "finalize", "close");

    private static final ClassValue<TargetClass> CLASSES = new ClassValue<>() {
        @Override
        protected TargetClass computeValue(Class<?> type) {
            return new TargetClass(type);
        }
    };

    private Dispatcher() {
    }

    /** One callable method, with a handle taking (target, Object[] args). */
    static final class Invokable {
        final Method method;
        final Class<?>[] types;
        final Type[] genericTypes;
        final boolean varargs;
        final boolean returnsVoid;
        private final MethodHandle handle;
        private final String inaccessible;

        Invokable(Method method, Class<?> targetClass) {
            this.method = method;
            this.types = method.getParameterTypes();
            this.genericTypes = method.getGenericParameterTypes();
            this.varargs = method.isVarArgs();
            this.returnsVoid = method.getReturnType() == void.class;
            MethodHandle h = null;
            String problem = null;
            try {
                Method callable = accessibleVersion(method, targetClass);
                if (callable == null) {
                    throw new IllegalAccessException("not accessible");
                }
                h = MethodHandles.lookup().unreflect(callable).asFixedArity()
                        .asSpreader(Object[].class, types.length)
                        .asType(MethodType.methodType(Object.class, Object.class, Object[].class));
            } catch (IllegalAccessException | RuntimeException e) {
                String pkg = method.getDeclaringClass().getPackageName();
                problem = "The method " + signature() + " cannot be called by capnweb.protocol: make "
                        + method.getDeclaringClass().getName() + " public and export its package " + pkg
                        + " (or 'opens " + pkg + " to capnweb.protocol;' in module-info.java).";
            }
            this.handle = h;
            this.inaccessible = problem;
        }

        /**
         * The method itself if the engine may call it, else the same method as declared by an
         * accessible superclass or interface (say, a public API interface in an exported package
         * implemented by a hidden class), else null.
         */
        private static Method accessibleVersion(Method method, Class<?> targetClass) {
            if (method.trySetAccessible()) {
                return method;
            }
            return inHierarchy(targetClass, method,
                    m -> Modifier.isPublic(m.getModifiers()) && m.trySetAccessible() ? m : null);
        }

        String signature() {
            StringBuilder sb = new StringBuilder(method.getName()).append('(');
            for (int i = 0; i < types.length; i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                sb.append(types[i].getSimpleName());
            }
            return sb.append(')').toString();
        }

        Object invoke(Object target, Object[] args) throws Throwable {
            if (handle == null) {
                throw Errors.type(inaccessible);
            }
            Object result = handle.invokeExact(target, args);
            return returnsVoid ? Undefined.INSTANCE : result;
        }
    }

    /** What the engine knows about one target class. */
    static final class TargetClass {
        final Map<String, List<Invokable>> methods = new HashMap<>();
        final Map<String, Invokable> getters = new HashMap<>();

        TargetClass(Class<?> type) {
            List<Method> all = new ArrayList<>(Arrays.asList(type.getMethods()));
            // Deterministic overload order: fewer parameters first, then by signature text.
            all.sort(Comparator.comparingInt(Method::getParameterCount).thenComparing(Method::toGenericString));
            boolean isFunction = RpcFunction.class.isAssignableFrom(type);
            for (Method m : all) {
                if (!reachable(m, isFunction)) {
                    continue;
                }
                methods.computeIfAbsent(m.getName(), k -> new ArrayList<>()).add(new Invokable(m, type));
            }
            // Properties, strongest claim first: @RpcProperty, then a bare x() whose name is not
            // shared with another method (a record accessor, value()), then getX()/isX(). A
            // no-arg method that is overloaded or varargs (increment() beside increment(n)) is an
            // action, so reading its name yields the method itself, as in JavaScript.
            for (List<Invokable> list : methods.values()) {
                for (Invokable inv : list) {
                    RpcProperty annotation = propertyAnnotation(inv.method, type);
                    if (annotation != null && inv.types.length == 0 && !inv.returnsVoid) {
                        String property = annotation.value().isEmpty() ? beanName(inv) : annotation.value();
                        getters.putIfAbsent(property == null ? inv.method.getName() : property, inv);
                    }
                }
            }
            for (Map.Entry<String, List<Invokable>> e : methods.entrySet()) {
                List<Invokable> list = e.getValue();
                Invokable only = list.get(0);
                if (list.size() == 1 && only.types.length == 0 && !only.varargs && !only.returnsVoid) {
                    getters.putIfAbsent(e.getKey(), only);
                }
            }
            for (List<Invokable> list : methods.values()) {
                for (Invokable inv : list) {
                    String property = inv.types.length == 0 && !inv.returnsVoid ? beanName(inv) : null;
                    if (property != null) {
                        getters.putIfAbsent(property, inv);
                    }
                }
            }
        }

        /**
         * The {@link RpcProperty} on {@code method} or on a method it overrides or implements: an
         * interface may declare what is a property, and its implementations need not repeat it.
         */
        private static RpcProperty propertyAnnotation(Method method, Class<?> type) {
            RpcProperty own = method.getAnnotation(RpcProperty.class);
            return own != null ? own : inHierarchy(type, method, m -> m.getAnnotation(RpcProperty.class));
        }

        /** {@code x} for {@code getX()} and for a boolean {@code isX()}; else null. */
        private static String beanName(Invokable inv) {
            String name = inv.method.getName();
            if (name.length() > 3 && name.startsWith("get") && Character.isUpperCase(name.charAt(3))) {
                return decapitalize(name.substring(3));
            }
            if (name.length() > 2 && name.startsWith("is") && Character.isUpperCase(name.charAt(2))
                    && (inv.method.getReturnType() == boolean.class || inv.method.getReturnType() == Boolean.class)) {
                return decapitalize(name.substring(2));
            }
            return null;
        }

        private static boolean reachable(Method m, boolean isFunction) {
            if (Modifier.isStatic(m.getModifiers()) || m.isBridge() || m.isSynthetic()) {
                return false;
            }
            Class<?> declaring = m.getDeclaringClass();
            if (declaring == Object.class || declaring.getPackageName().equals(API_PACKAGE)) {
                return false;
            }
            if (OBJECT_METHOD_NAMES.contains(m.getName())) {
                return false;
            }
            return !(isFunction && m.getName().equals("apply"));
        }

        private static String decapitalize(String s) {
            if (s.length() > 1 && Character.isUpperCase(s.charAt(1))) {
                return s; // URL -> URL, as java.beans does
            }
            return Character.toLowerCase(s.charAt(0)) + s.substring(1);
        }
    }

    /**
     * Walks {@code type}, its superclasses and its interfaces, breadth first, for declarations of
     * {@code method}'s signature; returns the first that {@code pick} maps to non-null, else null.
     */
    static <T> T inHierarchy(Class<?> type, Method method, java.util.function.Function<Method, T> pick) {
        java.util.ArrayDeque<Class<?>> todo = new java.util.ArrayDeque<>();
        todo.add(type);
        java.util.Set<Class<?>> seen = new java.util.HashSet<>();
        while (!todo.isEmpty()) {
            Class<?> c = todo.poll();
            if (!seen.add(c)) {
                continue;
            }
            try {
                T found = pick.apply(c.getDeclaredMethod(method.getName(), method.getParameterTypes()));
                if (found != null) {
                    return found;
                }
            } catch (NoSuchMethodException ignored) {
                // not declared here
            }
            if (c.getSuperclass() != null) {
                todo.add(c.getSuperclass());
            }
            todo.addAll(Arrays.asList(c.getInterfaces()));
        }
        return null;
    }

    static TargetClass of(Object target) {
        return CLASSES.get(target.getClass());
    }

    static boolean hasMethod(Object target, String name) {
        return of(target).methods.containsKey(name);
    }

    /**
     * Reads property {@code name} of a target: a property's value, else the method itself bound
     * to the target (a function, as JavaScript's {@code obj.method}) if {@code name} names a
     * method, else undefined.
     */
    static Object property(Object target, String name) {
        TargetClass tc = of(target);
        Invokable getter = tc.getters.get(name);
        if (getter != null) {
            try {
                return getter.invoke(target, new Object[0]);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new java.util.concurrent.CompletionException(t);
            }
        }
        if (tc.methods.containsKey(name)) {
            return new BoundMethod(target, name);
        }
        return Undefined.INSTANCE;
    }

    /** @return the name of the Java method that reading property {@code name} runs, or null if none runs */
    static String getterName(Object target, String name) {
        Invokable getter = of(target).getters.get(name);
        return getter == null ? null : getter.method.getName();
    }

    /**
     * Calls method {@code name} with the peer's arguments, choosing among overloads by arity and
     * by whether the arguments convert to the parameter types.
     */
    static Object invoke(Object target, String name, List<Object> args) throws Throwable {
        List<Invokable> candidates = of(target).methods.get(name);
        if (candidates == null) {
            throw Errors.type("'" + name + "' is not a function.");
        }
        RuntimeException firstProblem = null;
        for (Invokable inv : ordered(candidates, args.size())) {
            Object[] converted;
            try {
                converted = convertArgs(inv, args);
            } catch (RuntimeException e) {
                if (firstProblem == null) {
                    firstProblem = e;
                }
                continue;
            }
            return inv.invoke(target, converted);
        }
        throw firstProblem;
    }

    private static List<Invokable> ordered(List<Invokable> candidates, int n) {
        if (candidates.size() == 1) {
            return candidates;
        }
        List<Invokable> out = new ArrayList<>(candidates.size());
        for (Invokable i : candidates) {
            if (i.types.length == n && !i.varargs) {
                out.add(i);
            }
        }
        for (Invokable i : candidates) {
            if (i.types.length > n && !i.varargs) {
                out.add(i); // sorted by parameter count already: the nearest first
            }
        }
        for (Invokable i : candidates) {
            if (i.varargs) {
                out.add(i);
            }
        }
        for (int k = candidates.size() - 1; k >= 0; k--) {
            Invokable i = candidates.get(k);
            if (i.types.length < n && !i.varargs) {
                out.add(i);
            }
        }
        return out;
    }

    private static Object[] convertArgs(Invokable inv, List<Object> args) {
        int count = inv.types.length;
        Object[] out = new Object[count];
        int fixed = inv.varargs ? count - 1 : count;
        for (int i = 0; i < fixed; i++) {
            Object v = i < args.size() ? args.get(i) : Undefined.INSTANCE;
            int position = i + 1;
            out[i] = Convert.to(v, inv.types[i], inv.genericTypes[i],
                    () -> "argument " + position + " of " + inv.signature());
        }
        if (inv.varargs) {
            Class<?> component = inv.types[count - 1].getComponentType();
            int rest = Math.max(0, args.size() - fixed);
            Object array = java.lang.reflect.Array.newInstance(component, rest);
            for (int i = 0; i < rest; i++) {
                java.lang.reflect.Array.set(array, i, Convert.to(args.get(fixed + i), component, component,
                        () -> "argument of " + inv.signature()));
            }
            out[count - 1] = array;
        }
        return out;
    }

    /** Reads a record component through its accessor, with a clear error if it is not accessible. */
    static Object readRecordComponent(Record record, RecordComponent rc) {
        Method accessor = rc.getAccessor();
        try {
            if (!accessor.canAccess(record) && !accessor.trySetAccessible()) {
                throw new IllegalAccessException("inaccessible");
            }
            return accessor.invoke(record);
        } catch (IllegalAccessException e) {
            String pkg = record.getClass().getPackageName();
            throw Errors.type("The record " + record.getClass().getName() + " cannot be read by capnweb.protocol: "
                    + "make it public and export its package " + pkg + ".");
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw new java.util.concurrent.CompletionException(e.getCause());
        }
    }
}
