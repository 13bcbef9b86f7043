/* xmalloc.h: allocation that cannot fail.
 *
 * cgovd cannot govern without memory, and sprinkling NULL checks through the
 * sampling and governing logic hides the real error paths. These wrappers
 * call fatalx() naming the size when the allocator refuses.
 */
#ifndef CGOV_XMALLOC_H
#define CGOV_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
/* Like reallocarray(3): checks nmemb * size for overflow. */
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a newly allocated formatted string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
