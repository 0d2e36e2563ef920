/** The default root task of {@code ./ristretto demo}. User level only. */
package ristretto.user.demo;
