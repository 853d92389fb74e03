"""French stop words used by the text pipeline.

Words are written as French speakers type them; the tokenizer compares them without accents,
so "ete" and "été" are the same entry.
"""

from __future__ import annotations

# Function words: the Snowball French list, plus the forms of être / avoir / faire / aller and
# the frequent adverbs that carry no topic.
FRENCH_STOP_WORDS: frozenset[str] = frozenset(
    """
    a à ai aie aient aies ait alors as au aucun aucune aupres auquel aura aurai auraient aurais
    aurait auras aurez auriez aurions aurons auront aussi autre autres aux auxquelles auxquels
    avaient avais avait avant avec avez aviez avions avoir avons ayant ayez ayons
    bah bien bon c ca ça car ce ceci cela celle celles celui cependant certain certaine certaines
    certains ces cet cette ceux chacun chacune chaque chez ci comme comment d dans de des dessous
    dessus deja déjà donc dont du duquel durant elle elles en encore entre es est et etaient
    etais etait etant ete etes etiez etions etre eu eue eues eurent eus eusse eussent eusses
    eussiez eussions eut eux fais faisait faisant fait faites faut fois font fus fusse fussent
    fusses fussiez fussions fut hui ici il ils j je jusqu jusque l la là laquelle le lequel les
    lesquelles lesquels leur leurs lors lorsque lui m ma mais me meme mêmes memes mes moi moins
    mon n ne ni non nos notre nous on ont ou où par parce parfois pas pendant peu peut peuvent
    plupart plus plusieurs pour pourquoi puis qu quand que quel quelle quelles quels qui quoi
    s sa sans se sera serai seraient serais serait seras serez seriez serions serons seront ses
    si sien sienne siennes siens soi soient sois soit sommes son sont sous soyez soyons suis sur
    t ta tandis tant te tel telle telles tels tes toi ton toujours tous tout toute toutes tres
    très trop tu un une unes uns va vais vas vers via voici voila voilà vont vos votre vous vu y
    afin ainsi apres après aujourd autant beaucoup cas cet chose choses dont egalement également
    etc faire fera feraient ferait ferons lors meme ne nombreuses nombreux notamment ok oui peut
    pourrait pourraient quelque quelques rien sein selon seul seule seulement souvent surtout
    tout toutefois vraiment
    """.split()
)

# Words of the contribution forms themselves ("Nous devrions ...", "J'ai une idée !",
# "Comment pourrions-nous ...", "Nous avons besoin ...", and the English "I have an idea !")
# and the generic verbs of a proposal ("créer", "développer", "favoriser"): they say how
# people wrote, not what about, and would otherwise become labels. Surface forms, not stems,
# so that "développement" stays a topic while "développer" does not.
CONTRIBUTION_STOP_WORDS: frozenset[str] = frozenset(
    """
    devoir devons devez doit doivent devrait devraient devrions devriez dois
    pouvoir pouvons pouvez pourrions pourriez pourrons pourra pourrait pourraient puisse
    vouloir voudrais voudrait voudrions voulons voulez veut veulent veux souhaite souhaitons
    souhaiterais souhaiterait falloir faudrait faut idee idée idees idées besoin besoins
    propose proposer proposons proposition propositions merci svp
    créer crée créons créez développer développons favoriser favorise favorisons permettre
    permet permettant permettrait permettraient mettre mettons prendre prenons rendre rendons
    aller allons donner donnons trouver trouvons penser pense pensons encourager encourageons
    améliorer améliorons
    i have an idea we need should would like how could to the of and for in on is are it
    """.split()
)
