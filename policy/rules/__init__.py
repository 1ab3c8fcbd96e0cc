"""Rules only where a rule is the point; everything else the policy judges is learned.

- minors.py: the absolute rule on minors and sexual content;
- injection.py: attempts to switch the policy off;
- people.py: whether a request names a real person (a proper name, a public role);
- turns.py: whether a request completes an earlier turn or starts something new;
- text.py: how they all read text.
The name matcher's mechanics live in policy/names.py and policy/normalize.py.
"""
